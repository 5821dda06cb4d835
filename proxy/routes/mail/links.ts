/**
 * CloudFront signed links for reports (seed 002: canned policy, 25 days). The key pair id and private key come
 * from Secrets Manager (`cloudfront-private-key`, AWSCURRENT), read once per cold start: a rotation to a new
 * AWSCURRENT is picked up by the next cold start, never half-way through a container's life.
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createPrivateKey } from 'node:crypto';
import type { Clock } from '../../core/types.ts';

export interface CloudFrontKey {
  keyPairId: string;
  privateKey: string;
  /** The secret version the key came from (for the start-up log; never the key). */
  versionId?: string;
}

export interface SignedLink {
  key: string;
  url: string;
  expiresAt: string;
}

export interface LinkSigner {
  keyPairId: string;
  sign(key: string): SignedLink;
}

/** Read and check the secret; a malformed one fails the cold start with a message that never shows the key. */
export async function loadCloudFrontKey(sm: SecretsManagerClient, secretId: string): Promise<CloudFrontKey> {
  const res = await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
  let parsed: { keyPairId?: unknown; privateKey?: unknown };
  try {
    parsed = JSON.parse(res.SecretString ?? '');
  } catch {
    throw new Error(`secret ${secretId} is not JSON {"keyPairId", "privateKey"}`);
  }
  if (typeof parsed.keyPairId !== 'string' || typeof parsed.privateKey !== 'string') throw new Error(`secret ${secretId} lacks keyPairId or privateKey`);
  try {
    createPrivateKey(parsed.privateKey);
  } catch {
    throw new Error(`secret ${secretId}: privateKey is not a PEM private key`);
  }
  return { keyPairId: parsed.keyPairId, privateKey: parsed.privateKey, versionId: res.VersionId };
}

export function createLinkSigner(key: CloudFrontKey, baseUrl: string, ttlDays: number, clock: Clock): LinkSigner {
  return {
    keyPairId: key.keyPairId,
    sign(objectKey) {
      const expires = new Date(Math.floor(clock.now() / 1000) * 1000 + ttlDays * 86_400_000);
      const url = `${baseUrl}/${objectKey.split('/').map(encodeURIComponent).join('/')}`;
      const signed = getSignedUrl({ url, keyPairId: key.keyPairId, privateKey: key.privateKey, dateLessThan: expires.toISOString() });
      return { key: objectKey, url: signed, expiresAt: expires.toISOString() };
    },
  };
}
