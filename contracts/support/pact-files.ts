/**
 * Pacts as reviewed files: a stable form (interactions sorted, library versions dropped, 2-space JSON) so a
 * regenerated pact differs from the committed one only when the contract changed.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = Record<string, unknown>;

/** Metadata that changes with the Pact library, not with the contract. */
const VOLATILE_METADATA = ['pactRust', 'pactJs', 'pact-js'];

export function normalisePact(pact: Json): Json {
  const metadata = { ...(pact.metadata as Json | undefined) };
  for (const k of VOLATILE_METADATA) delete metadata[k];
  const interactions = [...((pact.interactions as Json[] | undefined) ?? [])].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  return { ...pact, interactions, metadata };
}

const sortKey = (i: Json) => `${i.description}\u0000${JSON.stringify(i.providerStates ?? [])}`;

export const pactText = (pact: Json) => `${JSON.stringify(normalisePact(pact), null, 2)}\n`;

const pactFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : []);

export interface PactDrift {
  file: string;
  kind: 'changed' | 'new' | 'removed';
  /** Descriptions of interactions added or removed, or "changed: …" for ones whose content differs. */
  interactions: string[];
}

/** Compares freshly generated pacts with the committed ones. */
export function comparePacts(generatedDir: string, committedDir: string): PactDrift[] {
  const drift: PactDrift[] = [];
  const generated = pactFiles(generatedDir);
  for (const file of generated) {
    const fresh = pactText(JSON.parse(readFileSync(join(generatedDir, file), 'utf8')));
    const committedPath = join(committedDir, file);
    if (!existsSync(committedPath)) {
      drift.push({ file, kind: 'new', interactions: [] });
      continue;
    }
    const committed = readFileSync(committedPath, 'utf8');
    if (committed !== fresh) drift.push({ file, kind: 'changed', interactions: interactionDiff(JSON.parse(committed), JSON.parse(fresh)) });
  }
  for (const file of pactFiles(committedDir)) if (!generated.includes(file)) drift.push({ file, kind: 'removed', interactions: [] });
  return drift;
}

function interactionDiff(before: Json, after: Json): string[] {
  const index = (p: Json) => new Map(((p.interactions as Json[]) ?? []).map((i) => [sortKey(i), JSON.stringify(i)]));
  const [a, b] = [index(before), index(after)];
  const name = (k: string) => k.split('\u0000')[0];
  const out: string[] = [];
  for (const [k, v] of b) if (!a.has(k)) out.push(`added: ${name(k)}`); else if (a.get(k) !== v) out.push(`changed: ${name(k)}`);
  for (const k of a.keys()) if (!b.has(k)) out.push(`removed: ${name(k)}`);
  if (out.length === 0) out.push('metadata or consumer/provider names');
  return out;
}

/** Accepts the generated pacts: writes them, normalised, over the committed ones (and drops stale files). */
export function acceptPacts(generatedDir: string, committedDir: string, drift: PactDrift[]): void {
  for (const d of drift) {
    if (d.kind === 'removed') rmSync(join(committedDir, d.file), { force: true });
    else writeFileSync(join(committedDir, d.file), pactText(JSON.parse(readFileSync(join(generatedDir, d.file), 'utf8'))));
  }
}

