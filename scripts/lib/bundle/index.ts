/** Bundle every Lambda function (or the ones named) and check them against the size budget. */
import { mkdir } from 'node:fs/promises';
import { bundleFunction, DEFAULT_OUT_DIR, type FunctionBundle } from './build.ts';
import { DEFAULT_FUNCTIONS_DIR, findFunctions } from './functions.ts';
import { DEFAULT_BUDGET_BYTES, overBudget } from './report.ts';

export { bundleFunction, esbuildOptions, DEFAULT_OUT_DIR, type FunctionBundle } from './build.ts';
export { findFunctions, DEFAULT_FUNCTIONS_DIR, type LambdaFunctionSource } from './functions.ts';
export { budgetFromEnv, DEFAULT_BUDGET_BYTES, inputsTable, kb, overBudget, sizeTable, topInputs, type InputSize } from './report.ts';
export { testZip, writeZip } from './zip.ts';

export interface BundleAllOptions {
  functionsDir?: string;
  outDir?: string;
  budgetBytes?: number;
}

export interface BundleAllResult {
  bundles: FunctionBundle[];
  budgetBytes: number;
  overBudget: FunctionBundle[];
  largest: FunctionBundle | undefined;
}

export async function bundleAll(opts: BundleAllOptions = {}): Promise<BundleAllResult> {
  const functions = await findFunctions(opts.functionsDir ?? DEFAULT_FUNCTIONS_DIR);
  if (functions.length === 0) throw new Error(`no Lambda functions found in ${opts.functionsDir ?? DEFAULT_FUNCTIONS_DIR}`);
  const outDir = opts.outDir ?? DEFAULT_OUT_DIR;
  await mkdir(outDir, { recursive: true });
  const bundles = await Promise.all(functions.map((fn) => bundleFunction(fn, outDir)));
  const budgetBytes = opts.budgetBytes ?? DEFAULT_BUDGET_BYTES;
  const largest = [...bundles].sort((a, b) => b.zipBytes - a.zipBytes)[0];
  return { bundles, budgetBytes, overBudget: overBudget(bundles, budgetBytes), largest };
}
