/**
 * The packages provider states. A presigned URL is issued through the target's own gateway (as the app gets one),
 * with a tampered copy S3 must refuse; the CORS state checks the proxy's allow-list. The deleted-package state
 * puts N:package:461 back to DELETED where the target's database can be reached (Postgres), and otherwise checks
 * that nothing restored it yet: a PGlite database has one owner, the running function, so it cannot be touched from
 * here — each target starts on a fresh copy of the seed and the pact restores 461 once.
 */
import pg from 'pg';

export interface PackagesStates {
  /** Issues a presigned GET of N:package:456 for ada through the gateway; `tamperedUrl` has a wrong signature. */
  presign(jwt: string): Promise<Record<string, string>>;
  /** Makes sure N:package:461 is DELETED. */
  ensureDeleted(nodeId: string): Promise<void>;
}

export function localPackagesStates(gatewayUrl: string, databaseUrl?: string): PackagesStates {
  return {
    presign: (jwt) => presignThroughGateway(gatewayUrl, jwt),
    ensureDeleted: async (nodeId) => {
      if (databaseUrl) await markDeleted(databaseUrl, nodeId);
    },
  };
}

async function presignThroughGateway(gatewayUrl: string, jwt: string): Promise<Record<string, string>> {
  const res = await fetch(`${gatewayUrl}/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false`, { headers: { authorization: `Bearer ${jwt}` } });
  const body = (await res.json()) as { url?: string };
  if (!res.ok || !body.url) throw new Error(`could not presign N:package:456 to set up the state: HTTP ${res.status}`);
  // Flipping the signature's first hex digit keeps the URL well-formed, so only S3 can tell.
  const tamperedUrl = body.url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, d: string) => `X-Amz-Signature=${d === '0' ? '1' : '0'}`);
  return { presignedUrl: body.url, tamperedUrl };
}

async function markDeleted(databaseUrl: string, nodeId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`UPDATE "1".packages SET state = 'DELETED' WHERE node_id = $1`, [nodeId]);
  } finally {
    await client.end();
  }
}
