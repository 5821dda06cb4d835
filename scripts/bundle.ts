/**
 * `npm run bundle [-- --out <dir>]`: builds every proxy/functions/*.ts into dist/lambda/<function>/index.mjs and
 * dist/lambda/<function>.zip, prints their sizes and the largest bundle's top inputs, and exits 1 naming any
 * function whose zip exceeds the budget (BUNDLE_BUDGET_BYTES, default 1 MB).
 */
import { relative, resolve } from 'node:path';
import { budgetFromEnv, bundleAll, inputsTable, kb, sizeTable, testZip } from './lib/bundle/index.ts';

function outDirArg(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--out' || a.startsWith('--out='));
  if (i < 0) return undefined;
  const v = argv[i].startsWith('--out=') ? argv[i].slice(6) : argv[i + 1];
  if (!v) throw new Error('--out needs a directory');
  return resolve(v);
}

async function main(): Promise<number> {
  const budgetBytes = budgetFromEnv();
  const { bundles, overBudget, largest } = await bundleAll({ outDir: outDirArg(process.argv.slice(2)), budgetBytes });
  for (const b of bundles) {
    for (const w of b.warnings) console.warn(`warning (${b.name}): ${w}`);
    if ((await testZip(b.zipPath)) === 'unavailable') console.warn('unzip not installed: zips were not verified');
  }
  console.log(sizeTable(bundles, budgetBytes));
  if (largest) console.log(`\nTop 10 inputs of the largest bundle (${largest.name}, ${kb(largest.zipBytes)} zipped):\n${inputsTable(largest.metafile)}`);
  console.log(`\nWrote ${bundles.map((b) => relative(process.cwd(), b.zipPath)).join(', ')}`);
  for (const b of overBudget) console.error(`bundle ${b.name} is ${b.zipBytes} bytes zipped, over the budget of ${budgetBytes} bytes`);
  return overBudget.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
