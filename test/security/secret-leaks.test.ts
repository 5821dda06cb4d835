/**
 * Nothing a stack run writes for people or machines carries a secret. One recorded stack run drives every seed
 * system's scenario (Customer.io, mail, packages, cards), refused requests, and a rotation of the Customer.io keys
 * by its script; then every output is searched for every secret value the run loaded and for private keys:
 *
 *   - every log line of the stack (level debug, security_audit lines included) and the rotation script's output;
 *   - every fake's and the gateway's admin answers: /__admin/state and /__admin/journal of Customer.io, Extend,
 *     Mailgun, CloudFront, Vault, the AWS edge and the gateway, plus Customer.io's api-keys, webhooks and
 *     deliveries, Mailgun's webhooks, the gateway's signing-keys, and the proxy's /__admin/audit;
 *   - the run's recording (HAR) and its upstream fixtures, as `npm run record` writes them;
 *   - every file of the state directory except key storage (`gateway/`, `cloudfront/`, `tls/` hold the generated
 *     private keys by design), read as bytes — the packages database included;
 *   - the committed recordings and upstream fixtures (fixtures/recordings, fixtures/upstream) and pacts
 *     (contracts/pacts), which earlier runs of the same tools wrote.
 *
 * Secret values: everything the secret chain loaded (the logger is told each one, refreshes included), the fakes'
 * seeded secrets (Vault, Mailgun, Extend passwords, SSM SecureStrings, Customer.io and gateway API keys), the API
 * token this test creates, the keys the rotation issued, and every private key in key storage (its PEM body and the
 * base64 of its PEM, as SSM holds the CloudFront key). Not searched: values under 8 characters (the local AWS
 * `test` credentials, Vault's `root` token: public defaults that would match ordinary words) and Customer.io Site
 * IDs, which the chain loads beside the API key but which are public (Customer.io's web snippet puts the Site ID in
 * every page; the fake's admin state lists them). Private keys are also found by shape: any
 * `-----BEGIN … PRIVATE KEY-----` block is a hit wherever it appears.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startRecording, driveScenario, type Recording } from '../../scripts/lib/replay/record.ts';
import { SCENARIOS } from '../../scripts/lib/replay/scenarios.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { createLogger } from '../../proxy/core/log.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { loadSeed as loadCustomerioSeed } from '../../emulators/customerio/seed.ts';
import { runScript } from '../helpers/run-script.ts';

interface Needle { label: string; value: string }
interface Hit { where: string; what: string }

const PRIVATE_KEY_BLOCK = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
const KEY_STORAGE = ['gateway', 'cloudfront', 'tls'];
const MIN_LENGTH = 8;

/** Every needle and the private-key shape, searched in one text; hits name the needle, never its value. */
function scan(where: string, text: string, needles: Needle[]): Hit[] {
  const hits: Hit[] = [];
  if (PRIVATE_KEY_BLOCK.test(text)) hits.push({ where, what: 'a PEM private key block' });
  for (const n of needles) if (text.includes(n.value)) hits.push({ where, what: n.label });
  return hits;
}

function filesUnder(dir: string, skip: (rel: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (skip(relative(dir, full))) continue;
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

/** A private key's needles: a stretch of its PEM body, and of the base64 of the whole PEM (SSM's form). */
function keyNeedles(label: string, pem: string): Needle[] {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const b64 = Buffer.from(pem).toString('base64');
  return [{ label: `${label} (PEM body)`, value: body.slice(64, 128) }, { label: `${label} (base64 of the PEM)`, value: b64.slice(96, 160) }];
}

describe('no secret in anything a stack run writes', function () {
  this.timeout(180_000);
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-leaks-'));
  const logLines: string[] = [];
  const loaded = new Set<string>();
  const admin: Record<string, string> = {};
  const scriptOutput: string[] = [];
  const siteIds = new Set<string>([loadCustomerioSeed().workspace.siteId]);
  let rec: Recording;
  let stateDir = '';
  let needles: Needle[] = [];

  before(async () => {
    const log = createLogger({ name: 'proxy', level: 'debug', sink: (l) => logLines.push(l) });
    const remember = log.addSecretValues.bind(log);
    log.addSecretValues = (values) => {
      const list = [...values];
      for (const v of list) loaded.add(v);
      remember(list);
    };
    rec = await startRecording({ out: join(work, 'run.har'), port: 0, scenario: 'all', upstream: 'leaks', upstreamDir: join(work, 'upstream') }, () => {}, { proxyLog: log });
    const stack = rec.stack!;
    stateDir = stack.stateDir;
    for (const s of Object.values(SCENARIOS)) await driveScenario(rec, s.requests);

    // Refusals too: their answers, logs and audit lines are outputs as well.
    const token = (await new ApiTokenStore(cardsAwsClients(stack.proxyEnv).ddb, 'gatehouse-api-tokens').create('ada@example.com', Date.now(), 3600)).token;
    loaded.add(token);
    await fetch(`${rec.url}/cards`, { headers: { token } });
    await fetch(`${rec.url}/cards`, { headers: { token: `${token}-forged` } });
    await fetch(`${rec.url}/customers/ada@example.com/events`, { method: 'POST', headers: { authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' }, body: '{"name":"x"}' });
    await fetch(`${rec.url}/webhooks/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ signature: { timestamp: String(Math.floor(Date.now() / 1000)), token: 't'.repeat(50), signature: 'f'.repeat(64) }, 'event-data': {} }) });

    // A rotation by its script: its output is a log too, and the keys it issues are secrets the proxy then loads.
    const run = await runScript('scripts/rotate-customerio-keys.ts', ['--customerio', stack.urls.customerio, '--propagation-seconds', '0'], { VAULT_ADDR: stack.urls.vault, VAULT_TOKEN: 'root', SECRET_STORE: 'vault' });
    expect(run.code, run.stderr).to.equal(0);
    scriptOutput.push(run.stdout, run.stderr);
    const rotated = (await (await fetch(`${stack.urls.vault}/v1/secret/data/gatehouse/customerio`, { headers: { 'x-vault-token': 'root' } })).json()) as { data: { data: Record<string, string> } };
    for (const v of Object.values(rotated.data.data)) loaded.add(v);
    siteIds.add(rotated.data.data.CIO_SITE_ID);
    await fetch(`${rec.url}/customers/ada@example.com/events`, { method: 'POST', headers: { authorization: `Bearer ${await stack.gateway.mintToken('ada@example.com')}`, 'content-type': 'application/json' }, body: '{"name":"after_rotation"}' });

    const answers: [string, string][] = [];
    for (const name of ['customerio', 'extend', 'mailgun', 'cloudfront', 'vault', 'aws', 'gateway']) for (const p of ['/state', '/journal']) answers.push([name, p]);
    answers.push(['customerio', '/api-keys'], ['customerio', '/webhooks'], ['customerio', '/deliveries'], ['mailgun', '/webhooks'], ['gateway', '/signing-keys'], ['proxy', '/audit']);
    for (const [name, p] of answers) {
      const res = await fetch(`${stack.urls[name]}/__admin${p}`);
      expect(res.status, `${name} /__admin${p}`).to.equal(200);
      admin[`${name} /__admin${p}`] = await res.text();
    }
    const keyFiles = filesUnder(stateDir).filter((f) => KEY_STORAGE.includes(relative(stateDir, f).split('/')[0]) && /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/.test(readFileSync(f, 'utf8')));
    expect(keyFiles.length, 'private keys in key storage').to.be.at.least(4);
    await rec.close();

    needles = [
      ...[...loaded].filter((v) => !siteIds.has(v)).filter((v) => v.length >= MIN_LENGTH).map((value, i) => ({ label: `loaded secret #${i + 1} (${value.length} characters)`, value })),
      ...seededSecretValues().filter((v) => v.length >= MIN_LENGTH && !siteIds.has(v)).map((value, i) => ({ label: `seeded secret #${i + 1}`, value })),
      ...keyFiles.flatMap((f) => keyNeedles(`private key ${relative(stateDir, f)}`, readFileSync(f, 'utf8'))),
    ];
  });

  it('searches for enough to matter: every value the chain loaded, the rotated keys and the generated private keys', () => {
    expect(loaded.size).to.be.greaterThan(15);
    expect(needles.length).to.be.greaterThan(40);
    expect(logLines.length).to.be.greaterThan(50);
  });

  it('no log line of the stack, and nothing the rotation script printed', () => {
    const hits = logLines.flatMap((l, i) => scan(`log line ${i + 1}`, l, needles));
    hits.push(...scriptOutput.flatMap((o, i) => scan(`rotation script ${i === 0 ? 'stdout' : 'stderr'}`, o, needles)));
    expect(hits).to.deep.equal([]);
  });

  it('no admin answer: state, journals, audit trail, keys and webhooks of every service', () => {
    expect(Object.entries(admin).flatMap(([where, text]) => scan(where, text, needles))).to.deep.equal([]);
  });

  it('not the run\'s recording nor its upstream fixtures', () => {
    const files = [join(work, 'run.har'), ...filesUnder(join(work, 'upstream'))];
    expect(files.length).to.be.greaterThan(2);
    expect(files.flatMap((f) => scan(relative(work, f), readFileSync(f, 'utf8'), needles))).to.deep.equal([]);
  });

  it('no file of the state directory outside key storage (gateway/, cloudfront/, tls/)', () => {
    const files = filesUnder(stateDir, (rel) => KEY_STORAGE.includes(rel.split('/')[0]));
    expect(files.length).to.be.greaterThan(0);
    expect(files.flatMap((f) => scan(`state/${relative(stateDir, f)}`, readFileSync(f).toString('latin1'), needles))).to.deep.equal([]);
  });

  it('not the committed recordings, upstream fixtures and pacts', () => {
    const files = ['fixtures/recordings', 'fixtures/upstream', 'contracts/pacts'].flatMap((d) => filesUnder(d));
    expect(files.length).to.be.greaterThan(10);
    expect(files.flatMap((f) => scan(f, readFileSync(f, 'utf8'), needles))).to.deep.equal([]);
  });

  it('finds what it looks for: a planted secret value and a planted private key are hits', () => {
    const planted = join(work, 'planted.log');
    writeFileSync(planted, `{"msg":"calling with ${needles.find((n) => n.label.startsWith('loaded secret'))!.value}"}\n${['-----BEGIN', 'PRIVATE KEY-----'].join(' ')}\n`);
    const hits = scan('planted.log', readFileSync(planted, 'utf8'), needles);
    expect(hits.map((h) => h.what)).to.include('a PEM private key block');
    expect(hits.some((h) => h.what.startsWith('loaded secret'))).to.equal(true);
  });
});
