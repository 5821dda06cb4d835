/**
 * The distribution the local edge serves: its names, the S3 origin, the trusted key group and the cache
 * behaviours. Read once from JSON (fixtures/cloudfront/distribution.json, documented in its README), checked
 * with a schema, then trusted everywhere else.
 */
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

export const DEFAULT_DISTRIBUTION_FILE = fileURLToPath(new URL('../../fixtures/cloudfront/distribution.json', import.meta.url));

export interface CacheBehavior {
  /** CloudFront path pattern: `*` any run of characters (slashes included), `?` one character. */
  pathPattern: string;
  /** Edge TTL, also sent to viewers as `Cache-Control: max-age=<n>` (the behaviour's response headers policy). */
  maxAgeSeconds: number;
  /** "Restrict viewer access": only signed URLs or signed cookies get through. */
  requireSignedRequests: boolean;
}

export interface PublicKey {
  id: string;
  pem: string;
}

export interface Distribution {
  id: string;
  domainName: string;
  aliases: string[];
  origin: { bucket: string; originPath: string };
  keyGroups: { id: string; name: string; publicKeys: PublicKey[] }[];
  defaultCacheBehavior: Omit<CacheBehavior, 'pathPattern'>;
  cacheBehaviors: CacheBehavior[];
}

interface DistributionFile {
  id: string;
  domainName: string;
  aliases?: string[];
  origin: { bucket: string; originPath?: string };
  trustedKeyGroups: { id: string; name: string; publicKeys: { id: string; file: string }[] }[];
  defaultCacheBehavior: Omit<CacheBehavior, 'pathPattern'>;
  cacheBehaviors?: CacheBehavior[];
}

const behaviorProps = {
  maxAgeSeconds: { type: 'integer', minimum: 0 },
  requireSignedRequests: { type: 'boolean' },
};

const schema = {
  type: 'object',
  required: ['id', 'domainName', 'origin', 'trustedKeyGroups', 'defaultCacheBehavior'],
  properties: {
    id: { type: 'string', minLength: 1 },
    domainName: { type: 'string', minLength: 1 },
    aliases: { type: 'array', items: { type: 'string' } },
    origin: {
      type: 'object',
      required: ['bucket'],
      properties: { bucket: { type: 'string', minLength: 3 }, originPath: { type: 'string', pattern: '^(/.*[^/])?$' } },
    },
    trustedKeyGroups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'publicKeys'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          publicKeys: {
            type: 'array',
            items: { type: 'object', required: ['id', 'file'], properties: { id: { type: 'string', minLength: 1 }, file: { type: 'string' } } },
          },
        },
      },
    },
    defaultCacheBehavior: { type: 'object', required: ['maxAgeSeconds', 'requireSignedRequests'], properties: behaviorProps },
    cacheBehaviors: {
      type: 'array',
      items: { type: 'object', required: ['pathPattern', 'maxAgeSeconds', 'requireSignedRequests'], properties: { pathPattern: { type: 'string', minLength: 1 }, ...behaviorProps } },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<DistributionFile>(schema);

/** Read and check a distribution file; public key files are resolved relative to it. */
export function loadDistribution(file: string = DEFAULT_DISTRIBUTION_FILE): Distribution {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!validate(raw)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`invalid CloudFront distribution ${file}: ${why}`);
  }
  const dir = dirname(file);
  return {
    id: raw.id,
    domainName: raw.domainName,
    aliases: raw.aliases ?? [],
    origin: { bucket: raw.origin.bucket, originPath: raw.origin.originPath ?? '' },
    keyGroups: raw.trustedKeyGroups.map((g) => ({
      id: g.id,
      name: g.name,
      publicKeys: g.publicKeys.map((k) => ({ id: k.id, pem: readPublicKey(resolve(dir, k.file)) })),
    })),
    defaultCacheBehavior: raw.defaultCacheBehavior,
    cacheBehaviors: raw.cacheBehaviors ?? [],
  };
}

function readPublicKey(file: string): string {
  const pem = readFileSync(file, 'utf8');
  try {
    createPublicKey(pem);
  } catch {
    throw new Error(`CloudFront public key ${file} is not a PEM public key`);
  }
  return pem;
}

/** The public key trusted under a key-pair id, from any of the distribution's key groups. */
export function trustedKey(d: Distribution, keyPairId: string): string | undefined {
  for (const g of d.keyGroups) for (const k of g.publicKeys) if (k.id === keyPairId) return k.pem;
  return undefined;
}

/** The first behaviour whose pattern matches the path, else the default (CloudFront evaluates them in order). */
export function behaviorFor(d: Distribution, path: string): CacheBehavior {
  const p = path.replace(/^\//, '');
  return d.cacheBehaviors.find((b) => wildcardRegExp(b.pathPattern.replace(/^\//, '')).test(p)) ?? { pathPattern: '*', ...d.defaultCacheBehavior };
}

/** `*` → any run of characters, `?` → exactly one; everything else literal, whole-string match. */
export function wildcardRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${body}$`);
}
