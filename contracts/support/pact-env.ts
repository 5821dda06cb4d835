/**
 * Shared settings for every contract test: Pact never phones home (PACT_DO_NOT_TRACK) and logs only warnings;
 * participants are named once; generated pacts go to a fresh temporary directory, the reviewed ones live in
 * contracts/pacts/. Import this module before anything that loads @pact-foundation/pact.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

process.env.PACT_DO_NOT_TRACK = 'true';

export const PACT_LOG_LEVEL = 'warn' as const;

export const PARTICIPANTS = {
  mobileApp: 'gatehouse-mobile-app',
  proxy: 'gatehouse-proxy',
  customerio: 'customerio',
  extend: 'extend',
  mailgun: 'mailgun',
  vault: 'vault',
  aws: 'aws',
} as const;

/** The committed, reviewed pacts. */
export const COMMITTED_PACTS_DIR = resolve(import.meta.dirname, '../pacts');

/** Where one run's consumer tests write their pacts (Pact merges interactions into one file per pair). */
export function freshPactDir(): string {
  return mkdtempSync(join(tmpdir(), 'gatehouse-pacts-'));
}

/** Pact's file name for a consumer/provider pair. */
export const pactFileName = (consumer: string, provider: string) => `${consumer}-${provider}.json`;
