/** Reads a workspace seed (fixtures/customerio/seed.json by default) into typed values, failing loudly on bad data. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DELIVERY_TYPES, type Attributes, type Broadcast, type DeliveryType, type Device, type Platform, type Segment, type TransactionalMessage, type Workspace } from './types.ts';

export const DEFAULT_FIXTURE = fileURLToPath(new URL('../../fixtures/customerio/seed.json', import.meta.url));

export interface SeedPerson {
  id?: string;
  email?: string;
  created_at: number;
  attributes: Attributes;
  devices: Device[];
  suppressed: boolean;
}

export interface Seed {
  workspace: Workspace;
  people: SeedPerson[];
  broadcasts: Broadcast[];
  transactionalMessages: TransactionalMessage[];
  segments: Segment[];
}

export function loadSeed(file: string = DEFAULT_FIXTURE): Seed {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const where = (what: string) => `${file}: ${what}`;
  const ws = obj(raw.workspace, where('workspace'));
  const workspace: Workspace = {
    siteId: str(ws.siteId, where('workspace.siteId')),
    trackApiKey: str(ws.trackApiKey, where('workspace.trackApiKey')),
    appApiKey: str(ws.appApiKey, where('workspace.appApiKey')),
    webhookSigningKey: str(ws.webhookSigningKey, where('workspace.webhookSigningKey')),
    region: ws.region === 'eu' ? 'eu' : 'us',
  };
  return {
    workspace,
    people: list(raw.people).map((p, i) => seedPerson(obj(p, where(`people[${i}]`)), where(`people[${i}]`))),
    broadcasts: list(raw.broadcasts).map((b, i) => {
      const o = obj(b, where(`broadcasts[${i}]`));
      return { id: num(o.id, where(`broadcasts[${i}].id`)), name: String(o.name ?? '') };
    }),
    transactionalMessages: list(raw.transactional_messages).map((t, i) => {
      const o = obj(t, where(`transactional_messages[${i}]`));
      const type = o.type ?? 'email';
      if (!DELIVERY_TYPES.includes(type as DeliveryType)) throw new Error(where(`transactional_messages[${i}].type must be one of ${DELIVERY_TYPES.join(', ')}`));
      return { id: num(o.id, where(`transactional_messages[${i}].id`)), name: String(o.name ?? ''), type: type as DeliveryType };
    }),
    segments: list(raw.segments).map((g, i) => {
      const o = obj(g, where(`segments[${i}]`));
      return { id: num(o.id, where(`segments[${i}].id`)), name: String(o.name ?? ''), members: list(o.members).map(String) };
    }),
  };
}

function seedPerson(p: Record<string, unknown>, where: string): SeedPerson {
  if (p.id === undefined && p.email === undefined) throw new Error(`${where}: a person needs an id or an email`);
  return {
    id: p.id === undefined ? undefined : String(p.id),
    email: p.email === undefined ? undefined : String(p.email),
    created_at: typeof p.created_at === 'number' ? p.created_at : 0,
    attributes: p.attributes === undefined ? {} : obj(p.attributes, `${where}.attributes`),
    devices: list(p.devices).map((d, i) => {
      const o = obj(d, `${where}.devices[${i}]`);
      const platform = o.platform === 'ios' || o.platform === 'android' ? (o.platform as Platform) : undefined;
      if (!platform) throw new Error(`${where}.devices[${i}].platform must be ios or android`);
      return { id: str(o.id, `${where}.devices[${i}].id`), platform, last_used: typeof o.last_used === 'number' ? o.last_used : undefined, attributes: {} };
    }),
    suppressed: p.suppressed === true,
  };
}

function obj(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where} must be an object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string' || !v) throw new Error(`${where} must be a non-empty string`);
  return v;
}

function num(v: unknown, where: string): number {
  if (!Number.isInteger(v)) throw new Error(`${where} must be an integer`);
  return v as number;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
