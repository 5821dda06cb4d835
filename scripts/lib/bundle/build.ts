/**
 * Build one Lambda function with esbuild into `<outDir>/<name>/index.mjs` (+ map) and zip it as `<outDir>/<name>.zip`.
 * The options are the deployment contract for the `nodejs22.x` runtime; each has its reason beside it.
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import type { LambdaFunctionSource } from './functions.ts';
import { writeZip } from './zip.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const DEFAULT_OUT_DIR = join(REPO_ROOT, 'dist/lambda');

// ESM output has no `require`; CommonJS dependencies bundled into it still call require('node:…') for built-ins,
// which esbuild routes through this one. Without it they throw "Dynamic require of "x" is not supported".
const CREATE_REQUIRE_BANNER = "import{createRequire as __gatehouseCreateRequire}from'node:module';const require=__gatehouseCreateRequire(import.meta.url);";

export function esbuildOptions(fn: LambdaFunctionSource, outDir: string): BuildOptions {
  return {
    entryPoints: [fn.entry],
    outfile: join(outDir, fn.name, 'index.mjs'),
    absWorkingDir: REPO_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22', // the nodejs22.x runtime
    format: 'esm', // .mjs: the runtime imports it as an ES module, so top-level await and import.meta work
    // Prefer packages' ESM builds: they tree-shake far better than their CommonJS twins (the AWS SDK above all).
    mainFields: ['module', 'main'],
    banner: { js: CREATE_REQUIRE_BANNER },
    minify: true,
    // A separate .map file with a sourceMappingURL comment, so NODE_OPTIONS=--enable-source-maps maps Lambda stack
    // traces back to our .ts lines; without sourcesContent it stays small (mappings are what traces need).
    sourcemap: 'linked',
    sourcesContent: false,
    // Nothing is external, @aws-sdk/* and @smithy/* included. The runtime ships an SDK v3, but its version moves
    // with runtime patches we do not control and is not the version our tests ran against; bundling pins the SDK
    // we tested and lets esbuild drop the unused parts. The size budget keeps the cost of that choice visible.
    external: [],
    metafile: true,
    logLevel: 'silent',
  };
}

export interface FunctionBundle {
  name: string;
  entry: string;
  dir: string;
  mjsPath: string;
  mapPath: string;
  zipPath: string;
  rawBytes: number;
  zipBytes: number;
  metafile: Metafile;
  warnings: string[];
}

export async function bundleFunction(fn: LambdaFunctionSource, outDir = DEFAULT_OUT_DIR): Promise<FunctionBundle> {
  const dir = join(outDir, fn.name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const opts = esbuildOptions(fn, outDir);
  const result = await build(opts).catch((e: Error) => {
    throw new Error(`bundling ${fn.name} failed: ${e.message}`);
  });
  const mjsPath = opts.outfile!;
  const mapPath = `${mjsPath}.map`;
  assertExportsHandler(fn, result.metafile!, mjsPath);
  const zipPath = join(outDir, `${fn.name}.zip`);
  await writeZip(zipPath, [{ name: 'index.mjs', path: mjsPath }, { name: 'index.mjs.map', path: mapPath }]);
  return {
    name: fn.name, entry: fn.entry, dir, mjsPath, mapPath, zipPath,
    rawBytes: (await stat(mjsPath)).size,
    zipBytes: (await stat(zipPath)).size,
    metafile: result.metafile!,
    warnings: result.warnings.map((w) => `${w.location?.file ?? ''}:${w.location?.line ?? ''} ${w.text}`),
  };
}

/** The runtime's handler setting is `index.handler`: a bundle without that export deploys but never runs. */
function assertExportsHandler(fn: LambdaFunctionSource, meta: Metafile, mjsPath: string): void {
  const out = meta.outputs[relative(REPO_ROOT, mjsPath).split('\\').join('/')];
  if (!out?.exports.includes('handler')) throw new Error(`${fn.name}: ${relative(REPO_ROOT, fn.entry)} does not export "handler"`);
}
