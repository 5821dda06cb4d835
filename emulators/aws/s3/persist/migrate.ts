/**
 * One-time upgrade of the earlier layout (`<dir>/buckets/<name>/manifest.json` plus `blobs/<id>`, every manifest
 * rewritten per write) to the journal layout. Blobs are moved by rename, never read; the records become snapshot 1.
 * Safe to interrupt: the old directory is removed last, and a rerun moves what is left and rewrites the snapshot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeBatch } from './journal.ts';
import type { Rec } from '../records.ts';
import type { BucketRecord, ObjectRecord } from '../model.ts';

interface OldManifest extends BucketRecord {
  versions: (Omit<ObjectRecord, 'size' | 'parts'> & { partsCount?: number })[];
}

export function migrateManifests(dir: string, store: { root: string; bodies: { blobDir: string } }): void {
  const old = path.join(dir, 'buckets');
  if (!fs.existsSync(old)) return;
  const snapshot = path.join(store.root, 'snapshot-000001.log');
  const fd = fs.openSync(`${snapshot}.tmp`, 'w');
  let buckets = 0;
  let versions = 0;
  try {
    for (const name of fs.readdirSync(old)) {
      const m = readManifest(path.join(old, name, 'manifest.json'));
      if (!m) continue;
      const { versions: list, ...bucket } = m;
      const recs: Rec[] = [{ t: 'bucket', bucket }];
      // Manifests list each key's versions newest first; `put` records rebuild them oldest first.
      for (const v of [...list].reverse()) {
        const { partsCount: _count, ...rest } = v;
        const size = v.deleteMarker ? 0 : moveBlob(path.join(old, name, 'blobs', v.id), path.join(store.bodies.blobDir, v.id));
        if (size === undefined) {
          console.error(`[s3] migration: ${name}/${v.key} (${v.versionId}) has no blob; left out`);
          continue;
        }
        recs.push({ t: 'put', bucket: name, version: { ...rest, size } });
        versions++;
      }
      fs.writeSync(fd, encodeBatch(recs));
      buckets++;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  syncDir(store.bodies.blobDir);
  fs.renameSync(`${snapshot}.tmp`, snapshot);
  syncDir(store.root);
  fs.rmSync(old, { recursive: true, force: true });
  console.error(`[s3] migrated ${buckets} bucket(s), ${versions} version(s) from ${old} to the journal layout`);
}

function readManifest(file: string): OldManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as OldManifest;
  } catch {
    return undefined;
  }
}

/** Move a blob into place (a rerun finds it there already); its size, or undefined when it is nowhere. */
function moveBlob(from: string, to: string): number | undefined {
  try {
    fs.renameSync(from, to);
  } catch {
    // already moved by an interrupted earlier run, or missing
  }
  try {
    return fs.statSync(to).size;
  } catch {
    return undefined;
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
