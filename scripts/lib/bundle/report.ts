/** Size budget and the printouts that explain a bundle's size. */
import type { Metafile } from 'esbuild';
import type { FunctionBundle } from './build.ts';

// 1 MB zipped by default. Lambda's own limit (50 MB zipped) is far away; the budget exists because cold-start
// time grows with the code the runtime must read and parse, so growth should be a decision, not an accident.
export const DEFAULT_BUDGET_BYTES = 1024 * 1024;

export function budgetFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.BUNDLE_BUDGET_BYTES;
  if (raw === undefined || raw === '') return DEFAULT_BUDGET_BYTES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`BUNDLE_BUDGET_BYTES must be a positive integer, got "${raw}"`);
  return n;
}

export const overBudget = (bundles: FunctionBundle[], budgetBytes: number): FunctionBundle[] =>
  bundles.filter((b) => b.zipBytes > budgetBytes);

export interface InputSize {
  path: string;
  /** Bytes this input contributes to the (minified) output. */
  bytes: number;
}

/** The inputs that put the most bytes into the bundle's output, largest first. */
export function topInputs(meta: Metafile, n = 10): InputSize[] {
  const sizes = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(out.inputs)) sizes.set(path, (sizes.get(path) ?? 0) + bytesInOutput);
  }
  return [...sizes].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, n);
}

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function sizeTable(bundles: FunctionBundle[], budgetBytes: number): string {
  const rows = bundles.map((b) => [b.name, kb(b.rawBytes), kb(b.zipBytes), b.zipBytes > budgetBytes ? 'OVER' : 'ok']);
  return table(['function', 'raw', 'zipped', `budget ${kb(budgetBytes)}`], rows);
}

export function inputsTable(meta: Metafile, n = 10): string {
  return table(['input', 'bytes in output'], topInputs(meta, n).map((i) => [i.path, String(i.bytes)]));
}
