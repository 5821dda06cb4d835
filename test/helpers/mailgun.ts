/**
 * The fake Mailgun on a free port with an official mailgun.js client aimed at it, plus what its tests share:
 * admin calls, a local webhook receiver and a way to run deprecated client methods without their console noise.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import FormData from 'form-data';
import Mailgun from 'mailgun.js';
import { startMailgun, type RunningMailgun } from '../../emulators/mailgun/index.ts';

export const KEY = 'key-gatehouse-local-0000000000000000';
export const SIGNING_KEY = 'whsec-gatehouse-local-signing-key-0000';
export const DOMAIN = 'mg.gatehouse.local';
export const FROM = 'Gatehouse <campaigns@mg.gatehouse.local>';

export type MailgunClient = ReturnType<InstanceType<typeof Mailgun>['client']>;
export type Json = Record<string, any>;

export interface MailgunHarness {
  mg: RunningMailgun;
  /** The fake's TLS directory (a temp dir): `ca.pem` in it is the CA its storage-host tunnel is signed by. */
  tlsDir: string;
  client: MailgunClient;
  /** A client with other options (a wrong key, a proxy to reach the storage host through the fake). */
  clientWith(opts: Partial<Parameters<InstanceType<typeof Mailgun>['client']>[0]>): MailgunClient;
  admin(path: string, init?: RequestInit): Promise<Json>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startMailgunHarness(): Promise<MailgunHarness> {
  const tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailgun-tls-'));
  const mg = await startMailgun({ port: 0, webhooks: { retryDelaysMs: [5, 5, 5] }, tlsDir });
  const clientWith = (opts: Partial<Parameters<InstanceType<typeof Mailgun>['client']>[0]>) => new Mailgun(FormData).client({ username: 'api', key: KEY, url: mg.url, ...opts });
  const admin = async (path: string, init: RequestInit = {}): Promise<Json> => {
    const res = await fetch(`${mg.url}/__admin${path}`, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
    return (await res.json()) as Json;
  };
  return {
    mg,
    tlsDir,
    client: clientWith({}),
    clientWith,
    admin,
    reset: async () => void (await admin('/reset', { method: 'POST' })),
    async close() {
      await mg.close();
      fs.rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}

/** A local webhook receiver answering with the next status in `statuses` (the last one repeats). */
export interface Receiver {
  url: string;
  bodies: Json[];
  statuses: number[];
  close(): Promise<void>;
}

export async function startReceiver(statuses: number[] = [200]): Promise<Receiver> {
  const r = { bodies: [] as Json[], statuses, url: '', close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
      res.statusCode = r.statuses[Math.min(r.bodies.length - 1, r.statuses.length - 1)];
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return r;
}

/** Run a client call that logs a deprecation warning without cluttering the test output. */
export async function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

/** The error a rejected mailgun.js call raised (its status and Mailgun's `details` text). */
export async function rejection(p: Promise<unknown>): Promise<Error & { status: number; details: string; type?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { status: number; details: string };
  }
  throw new Error('expected the call to fail');
}
