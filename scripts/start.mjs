#!/usr/bin/env node
/**
 * `npm start` launcher. Loading ~300 TypeScript files through tsx's loader hooks (which also sit on every one of
 * the AWS SDK's modules) costs more than the whole stack takes to start, so the stack's own code is compiled once
 * into one ESM file with esbuild — dependencies stay external and load from node_modules — cached under
 * node_modules/.cache/gatehouse/ and rebuilt only when a source file changes. Each module keeps its own
 * `import.meta.url`/`dirname` (fixtures are found relative to the source file), so behaviour matches `tsx`.
 * `GATEHOUSE_NO_BUILD=1` runs scripts/start.ts through tsx instead.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['proxy', 'emulators', 'scripts', 'contracts'];

/** Rewrites import.meta.url / import.meta.dirname in each source to that source's own location. */
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
      return { contents, loader: 'ts' };
    });
  },
};

if (process.env.GATEHOUSE_NO_BUILD) {
  await import('tsx/esm');
  await import(pathToFileURL(join(root, 'scripts/start.ts')).href);
} else {
  const out = await build();
  await import(pathToFileURL(out).href);
}

/** A key over every source file's path, size and mtime (plus the lockfile): cheap to compute, changes on any edit. */
function sourceKey() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(e.name)) {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const d of SOURCES) if (existsSync(join(root, d))) walk(join(root, d));
  h.update(readFileSync(join(root, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

async function build() {
  const cacheDir = join(root, 'node_modules/.cache/gatehouse');
  const out = join(cacheDir, `start-${sourceKey()}.mjs`);
  if (existsSync(out)) return out;
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(root, 'scripts/start.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
    plugins: [keepImportMeta],
  });
  return out;
}
