/**
 * One fuzz case from a surface, a seed and a case number: a template picked and mutated by a random source seeded
 * with all three, so `--seed S --surface X --case N` rebuilds the same request (up to the signature's clock).
 */
import type { RawRequest } from './client.ts';
import { chooseMutations, type MutationContext } from './mutations.ts';
import { Random } from './random.ts';
import { serialize, target } from './request.ts';
import type { Surface } from './surfaces.ts';

export interface Case {
  surface: string;
  index: number;
  mutations: string[];
  signed: boolean;
  /** The request line as sent (for reports), clipped. */
  line: string;
  /** What the shape check needs of the request: its path and headers (lower-cased names, repeats joined). */
  path: string;
  headers: Record<string, string>;
  request: RawRequest;
}

export async function makeCase(surface: Surface, seed: string, index: number, ctx: MutationContext): Promise<Case> {
  const rng = new Random(`${seed}:${surface.name}:${index}`);
  const m = rng.pick(surface.templates)(rng);
  const chosen = chooseMutations(rng);
  const applied: string[] = [];
  const apply = (phase: 'before' | 'after') => {
    for (const mu of chosen.filter((x) => x.phase === phase)) {
      mu.apply(m, rng, ctx);
      applied.push(mu.name);
    }
  };
  apply('before');
  const signed = surface.signer !== undefined && rng.chance(surface.signedShare);
  if (signed) await surface.signer!(m);
  apply('after');
  const line = `${m.method} ${target(m)}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of m.headers) headers[k.toLowerCase()] = headers[k.toLowerCase()] === undefined ? v : `${headers[k.toLowerCase()]}, ${v}`;
  return { surface: surface.name, index, mutations: applied, signed, line: line.length > 160 ? `${line.slice(0, 157)}…` : line, path: m.path, headers, request: serialize(m) };
}
