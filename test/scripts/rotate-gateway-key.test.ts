/**
 * `npm run rotate:gateway-key` against a running stack while requests keep flowing through the gateway to every
 * function that verifies its signatures (Customer.io, mail, packages): none is refused, the gateway ends up signing
 * with the new key, the proxy's key set holds only it, and the old key is refused once the proxy re-read the set.
 */
import { expect } from 'chai';
import http from 'node:http';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Stack } from '../../emulators/stack/index.ts';
import { loadGatewayKeys, signRequest } from '../../emulators/gateway/index.ts';
import { admin, testStack } from '../helpers/stack.ts';
import { eventually, expectNoRefusal, steadyLoad } from '../helpers/steady-load.ts';
import { auditLines, runScript } from '../helpers/run-script.ts';

const CRM_KEY = 'local-crm-api-key-000000000000000000000000';

describe('rotate:gateway-key', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => (stack = await testStack({ SECRET_REFRESH_SECONDS: '1', SECRET_REFRESH_MIN_INTERVAL_MS: '200' })));
  after(() => stack?.close());

  const vaultSet = async () => (await (await fetch(`${stack.urls.vault}/v1/secret/data/gatehouse/gateway`, { headers: { 'x-vault-token': 'root' } })).json() as { data: { data: { API_GATEWAY_PUBLIC_KEYS: Record<string, string> } } }).data.data.API_GATEWAY_PUBLIC_KEYS;

  /** A request straight to the proxy signed with a given key, as the gateway would (node:http keeps the signed Host). */
  const signedStatus = (privateKeyPem: string, keyId: string) => new Promise<number>((resolve, reject) => {
    const url = new URL('/events', stack.urls.proxy);
    const body = JSON.stringify({ name: 'direct', anonymous_id: 'device-direct' });
    const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
    Object.assign(headers, signRequest({ method: 'POST', path: '/events', headers, body }, privateKeyPem, { keyId }));
    const req = http.request(url, { method: 'POST', headers }, (res) => resolve(res.resume().statusCode ?? 0));
    req.on('error', reject);
    req.end(body);
  });

  it('rotates with requests flowing and none refused; the old key is then refused, the new one kept across a restart', async () => {
    const gw = stack.urls.gateway;
    const before = loadGatewayKeys({ keyDir: join(stack.stateDir, 'gateway'), env: {} });
    const token = await stack.gateway.mintToken('grace@example.com');
    const load = steadyLoad([
      { name: 'customerio', send: () => fetch(`${gw}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rotating', anonymous_id: 'device-1' }) }) },
      { name: 'customerio-signed-in', send: () => fetch(`${gw}/customers/grace@example.com/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'rotating' }) }) },
      { name: 'mail', send: () => fetch(`${gw}/reports`, { headers: { 'x-api-key': CRM_KEY } }), pauseMs: 20 },
      { name: 'packages', send: () => fetch(`${gw}/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false`, { headers: { authorization: `Bearer ${token}` } }) },
    ]);
    await eventually(() => load.count() > 20);
    const beforeRotation = load.count();

    const run = await runScript('scripts/rotate-gateway-key.ts', ['--gateway', gw, '--propagation-seconds', '2', '--drain-seconds', '1'],
      { VAULT_ADDR: stack.urls.vault, VAULT_TOKEN: 'root', SECRET_STORE: 'vault' });
    await eventually(() => load.count() > beforeRotation + 200);
    const result = await load.stop();

    expect(run.code, run.stderr).to.equal(0);
    expectNoRefusal(result);
    expect(result.sent).to.be.greaterThan(beforeRotation + 200);

    const after = loadGatewayKeys({ keyDir: join(stack.stateDir, 'gateway'), env: {} });
    expect(after.signingKeyId).to.match(/^gw-[0-9a-f]{16}$/).and.not.equal(before.signingKeyId);
    expect(existsSync(join(stack.stateDir, 'gateway', 'signing-key.pem'))).to.equal(false);
    expect(Object.keys(await vaultSet())).to.deep.equal([after.signingKeyId]);
    expect((await admin(gw, '/signing-keys')).keys).to.deep.equal([{ keyId: after.signingKeyId, publicKeyPem: after.signingPublicKeyPem, active: true }]);

    // One audit line per step, all successful, naming key ids and never a key.
    const lines = auditLines(run.stdout);
    expect(lines.map((l) => `${l.action} ${l.resource} ${l.outcome}`)).to.deep.equal(Array(7).fill('secret.rotate key:gateway-signing success'));
    expect(run.stdout).not.to.include('PRIVATE KEY');
    // The proxy audited the re-reads that picked the changes up.
    const pickups = (await admin(stack.urls.proxy, '/audit?action=secret.load')).entries.filter((l: { details?: { changed?: boolean } }) => l.details?.changed);
    expect(pickups.map((l: { resource: string }) => l.resource)).to.include('secret:API_GATEWAY_PUBLIC_KEYS');

    // The old key is refused once the proxy has re-read the set (its refresh interval is 1 s); the new one works.
    expect(await eventually(async () => (await signedStatus(before.signingPrivateKeyPem, before.signingKeyId)) === 401)).to.equal(true);
    expect(await signedStatus(after.signingPrivateKeyPem, after.signingKeyId)).to.equal(200);
  });
});
