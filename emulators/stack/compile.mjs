/**
 * The stack's compiled form. Loading ~300 TypeScript files through tsx's loader hooks (which also sit on every one
 * of the AWS SDK's modules) costs more than the stack takes to start, and every supervised service is a process of
 * its own that would pay it again on each restart. So the stack's own code is compiled once with esbuild into one
 * directory — one entry for the supervisor (`start.mjs`), one for a service process (`service.mjs`), and shared
 * chunks, so a fake loads only its own code — cached under node_modules/.cache/gatehouse/ and rebuilt only when a
 * source file changes. Dependencies stay external and load from node_modules. Each module keeps its own
 * `import.meta.url`/`dirname` (fixtures are found relative to the source file), so behaviour matches `tsx`.
 *
 * Plain JavaScript: `npm start` runs it before anything can load TypeScript.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['proxy', 'emulators', 'scripts', 'contracts'];
// Spelled in two parts so that keepImportMeta, which compiles this file too, leaves the banner's text alone.
const IMPORT_META = ['import', 'meta'].join('.');
const ENTRIES = { start: 'scripts/start.ts', service: 'emulators/stack/service-main.ts' };

/** Rewrites import.meta.url / import.meta.dirname in each source to that source's own location. */
const keepImportMeta = {
  name: 'keep-import-meta',
  setup(b) {
    b.onLoad({ filter: /\.(ts|mjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const contents = text
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)));
      return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
    });
  },
};

/** A key over every source file's path, size and mtime (plus the lockfile): cheap to compute, changes on any edit. */
function sourceKey() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|json)$/.test(e.name)) {
        const s = statSync(p);
        h.update(`${p}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const d of SOURCES) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  h.update(readFileSync(join(ROOT, 'package-lock.json')));
  return h.digest('hex').slice(0, 16);
}

let compiling;

/**
 * The compiled stack's directory (built on first use, then reused while no source changes); `<dir>/start.mjs` and
 * `<dir>/service.mjs` are its entries. Several processes may build at once: each builds into a directory of its
 * own and the first rename wins. `stopBuilder`: end esbuild's service process once built (the `npm start` launcher).
 */
export function compiledStack(o = {}) {
  return (compiling ??= build(o.stopBuilder ?? false));
}

async function build(stopBuilder) {
  const cacheDir = join(ROOT, 'node_modules/.cache/gatehouse');
  const outdir = join(cacheDir, `stack-${sourceKey()}`);
  if (existsSync(join(outdir, 'service.mjs'))) return outdir;
  mkdirSync(cacheDir, { recursive: true });
  const building = `${outdir}.building-${process.pid}`;
  const esbuild = await import('esbuild');
  try {
    await compile(esbuild, building, outdir);
  } finally {
    // esbuild's service process (~250 MB) would otherwise stay beside `npm start` for as long as it runs. Not in a
    // process where tsx may be transforming a module with that same service at this moment (the tests).
    if (stopBuilder) await esbuild.stop();
  }
  try {
    renameSync(building, outdir);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  pruneOld(cacheDir, outdir);
  return outdir;
}

function compile(esbuild, building, outdir) {
  return esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(ROOT, file)])),
    outdir: building,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies are bundled too (loading one file beats resolving hundreds: half the CPU a service spends on
    // loading), except the ones that read files beside their own modules or are optional: PGlite (its WebAssembly),
    // pg (pg-native), and the build tools. CommonJS inside the bundle gets a `require` of its own.
    external: ['@electric-sql/pglite', '@electric-sql/pglite/*', 'pg', 'esbuild', 'tsx', 'tsx/*'],
    banner: { js: `import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(${IMPORT_META}.url);` },
    // Linked, not inline: a service parses only its code (NODE_OPTIONS=--enable-source-maps maps stack traces).
    sourcemap: 'linked',
    logLevel: 'warning',
    // The supervisor finds the service entry beside itself, in the final directory (not the one being built).
    define: { 'process.env.GATEHOUSE_COMPILED_STACK': JSON.stringify(outdir) },
    plugins: [keepImportMeta],
  });
}

/** Builds of older sources, a week old: a stack started from one a week ago may still need it to restart a service. */
function pruneOld(cacheDir, current) {
  const weekAgo = Date.now() - 7 * 86_400_000;
  for (const name of readdirSync(cacheDir)) {
    const p = join(cacheDir, name);
    if (p !== current && /^(stack|start)-/.test(name) && statSync(p).mtimeMs < weekAgo) rmSync(p, { recursive: true, force: true });
  }
}
