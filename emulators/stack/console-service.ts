/**
 * The console as a supervised service (emulators/console): its supervisor link is the IPC channel — `status` and
 * `reset` are questions the supervisor answers (index.ts) — and its one wiring method puts its origin on the CORS
 * rules of the buckets the stack seeds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startConsole, type ConsoleConfig } from '../console/index.ts';
import type { ServiceStatus } from './supervisor.ts';
import type { ParentLink, Running } from './services.ts';

const fixture = (rel: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../../fixtures/${rel}`, import.meta.url)), 'utf8'));

/** The buckets the stack's AWS fixtures create (fixtures/aws/seed.json, the packages bucket). */
export function seededBuckets(env: Record<string, string | undefined> = process.env): string[] {
  const names: string[] = fixture('aws/seed.json').buckets.map((b: { name: string }) => b.name);
  names.push(fixture('packages/s3.json').bucket, ...[env.REPORTS_BUCKET, env.VIEWER_ASSETS_BUCKET].filter((b): b is string => Boolean(b)));
  return [...new Set(names)];
}

export async function startConsoleService(c: ConsoleConfig, parent: ParentLink): Promise<Running> {
  const log = (msg: string, fields: Record<string, unknown>) => parent.emit('log', { level: 'error', msg, fields: { service: 'console', ...fields } });
  const server = await startConsole(c, {
    status: () => parent.ask('status') as Promise<ServiceStatus[]>,
    reset: async (name) => void (await parent.ask('reset', { name })),
  }, log);
  return {
    report: { urls: { console: server.url }, ports: { console: server.port } },
    methods: { allowOrigin: () => server.allowOnBuckets(seededBuckets()) },
    close: () => server.close(),
  };
}
