/**
 * Deployment zips. yazl writes them (deflate, central directory, CRC) with a fixed mtime and mode, so the same
 * bundle always gives the same bytes and a deploy tool's source hash changes only when the code does.
 */
import { createWriteStream } from 'node:fs';
import { execFile } from 'node:child_process';
import yazl from 'yazl';

const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export interface ZipEntrySource {
  /** Name inside the archive. */
  name: string;
  /** File on disk. */
  path: string;
}

export function writeZip(zipPath: string, entries: ZipEntrySource[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addFile(e.path, e.name, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
    const out = createWriteStream(zipPath);
    out.on('close', () => resolvePromise());
    out.on('error', reject);
    zip.outputStream.on('error', reject).pipe(out);
    zip.end();
  });
}

/** `unzip -tq` the archive when unzip is installed: 'ok', 'unavailable', or a rejection with unzip's output. */
export function testZip(zipPath: string): Promise<'ok' | 'unavailable'> {
  return new Promise((resolvePromise, reject) => {
    execFile('unzip', ['-tq', zipPath], (err, stdout, stderr) => {
      if (!err) return resolvePromise('ok');
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolvePromise('unavailable');
      reject(new Error(`unzip -t ${zipPath} failed: ${(stdout + stderr).trim()}`));
    });
  });
}
