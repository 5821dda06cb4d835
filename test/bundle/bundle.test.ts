import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import yauzl from 'yauzl';
import { bundleAll, findFunctions, overBudget, topInputs, type BundleAllResult } from '../../scripts/lib/bundle/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every entry of a zip, decompressed, read with yauzl (an independent reader, not the writer under test). */
function readZip(path: string): Promise<Map<string, Buffer>> {
  return new Promise((resolvePromise, reject) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => { out.set(entry.fileName, Buffer.concat(chunks)); zip.readEntry(); });
        });
      });
      zip.on('end', () => resolvePromise(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('npm run bundle', function () {
  let out: string;
  let built: BundleAllResult;

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'bundle-'));
    built = await bundleAll({ outDir: out });
  });
  after(() => rm(out, { recursive: true, force: true }));

  it('builds every function in proxy/functions', async () => {
    const names = (await findFunctions()).map((f) => f.name);
    expect(names).to.include('customerio');
    expect(built.bundles.map((b) => b.name)).to.deep.equal(names);
  });

  it('writes an ESM bundle with a linked source map and a zip holding exactly both', async () => {
    for (const b of built.bundles) {
      expect(b.mjsPath).to.equal(join(out, b.name, 'index.mjs'));
      const mjs = await readFile(b.mjsPath);
      const map = JSON.parse(await readFile(b.mapPath, 'utf8'));
      expect(mjs.toString()).to.include('createRequire');
      expect(mjs.toString().trimEnd()).to.match(/\/\/# sourceMappingURL=index\.mjs\.map$/);
      expect(map.sources.some((s: string) => s.endsWith(`proxy/functions/${b.name}.ts`))).to.equal(true);
      const entries = await readZip(b.zipPath);
      expect([...entries.keys()].sort()).to.deep.equal(['index.mjs', 'index.mjs.map']);
      expect(entries.get('index.mjs')!.equals(mjs)).to.equal(true);
      expect(entries.get('index.mjs.map')!.equals(await readFile(b.mapPath))).to.equal(true);
      expect(b.zipBytes).to.be.lessThan(b.rawBytes);
    }
  });

  it('passes unzip -t', async function () {
    for (const b of built.bundles) {
      const res = await new Promise<{ code: number | null; missing: boolean }>((r) => {
        execFile('unzip', ['-tq', b.zipPath], (err) => r({ code: err ? ((err as { code?: number }).code ?? 1) : 0, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' }));
      });
      if (res.missing) this.skip();
      expect(res.code).to.equal(0);
    }
  });

  it('produces a module whose handler is a function', async () => {
    for (const b of built.bundles) {
      const mod = await import(pathToFileURL(b.mjsPath).href);
      expect(mod.handler).to.be.a('function');
    }
  });

  it('keeps today\'s bundles within the default 1 MB budget and names those over a tiny one', () => {
    expect(built.overBudget).to.deep.equal([]);
    expect(overBudget(built.bundles, 1000).map((b) => b.name)).to.deep.equal(built.bundles.map((b) => b.name));
  });

  it('lists the top inputs of the largest bundle, largest first', () => {
    const top = topInputs(built.largest!.metafile);
    expect(top).to.have.length.within(1, 10);
    expect(top.map((t) => t.bytes)).to.deep.equal([...top.map((t) => t.bytes)].sort((a, b) => b - a));
  });

  it('exits 1 naming the function when BUNDLE_BUDGET_BYTES is too small', async () => {
    const res = await new Promise<{ code: number; stderr: string; stdout: string }>((r) => {
      execFile(process.execPath, ['--import', 'tsx', 'scripts/bundle.ts', '--out', join(out, 'cli')], { cwd: ROOT, env: { ...process.env, BUNDLE_BUDGET_BYTES: '1000' } },
        (err, stdout, stderr) => r({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }));
    });
    expect(res.code).to.equal(1);
    expect(res.stderr).to.match(/bundle customerio is \d+ bytes zipped, over the budget of 1000 bytes/);
    expect(res.stdout).to.include('Top 10 inputs of the largest bundle');
  });
});
