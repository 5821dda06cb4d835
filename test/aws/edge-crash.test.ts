/**
 * Issue 13, finding 1: three requests that each stopped the whole stack (the edge shared its process with every
 * other service). Each test sends one, then shows the edge still answers the next request. Without the fix the
 * first step throws an uncaught exception, which mocha reports as this test's failure.
 */
import { expect } from 'chai';
import net from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SSMClient, PutParameterCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { startAwsEdge, type AwsEdge } from '../../emulators/aws/edge.ts';

const credentials = { accessKeyId: 'crashkey', secretAccessKey: 'crashsecret' };

/** Write raw bytes, optionally hang up after `hangUpMs`; resolve with whatever came back before the close. */
function rawRequest(port: number, bytes: string | Buffer, hangUpMs?: number): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const c = net.connect(port, '127.0.0.1', () => {
      c.write(bytes);
      if (hangUpMs !== undefined) setTimeout(() => c.destroy(), hangUpMs);
    });
    c.on('data', (d) => (out += d.toString('latin1')));
    c.on('close', () => resolve(out));
    c.on('error', () => {});
    c.setTimeout(10_000, () => c.destroy());
  });
}

describe('AWS edge: a single request cannot stop it (issue 13, finding 1)', () => {
  let edge: AwsEdge;
  let ddb: DynamoDBClient;
  let ssm: SSMClient;

  before(async () => {
    edge = await startAwsEdge({ port: 0, credentials: { [credentials.accessKeyId]: credentials.secretAccessKey } });
    ddb = new DynamoDBClient({ endpoint: edge.url, region: 'us-east-1', credentials });
    ssm = new SSMClient({ endpoint: edge.url, region: 'us-east-1', credentials });
  });
  after(async () => {
    ddb.destroy();
    ssm.destroy();
    await edge.close();
  });

  const stillServes = async () => {
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.be.an('array');
    await ssm.send(new PutParameterCommand({ Name: '/crash/after', Value: 'up', Type: 'String', Overwrite: true }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/crash/after' }))).Parameter?.Value).to.equal('up');
  };

  it('survives a client hanging up mid-body on a DynamoDB call', async () => {
    const head = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n'
      + 'Content-Type: application/x-amz-json-1.0\r\nContent-Length: 100\r\n\r\n';
    const answer = await rawRequest(edge.port, `${head}{"a"`, 50);
    expect(answer).to.equal(''); // nobody left to answer
    await stillServes();
  });

  it('answers a JSON body nested 100,000 deep to an SSM target with 400 naming the limit, before any library sees it', async () => {
    const depth = 100_000;
    const body = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    // Signed, so the request gets past authentication to the body check.
    const signer = new SignatureV4({ service: 'ssm', region: 'us-east-1', credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: edge.port, path: '/', body,
      headers: { host: `127.0.0.1:${edge.port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
    });
    const r = await fetch(`${edge.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    expect(r.status).to.equal(400);
    expect(await r.json()).to.deep.equal({ __type: 'SerializationException', message: 'JSON nesting is deeper than 128 levels (the limit)' });
    // The same body unsigned: refused for the missing signature, and nothing deep reaches the journal.
    const unsigned = await fetch(`${edge.url}/`, { method: 'POST', headers: { 'x-amz-target': 'AmazonSSM.GetParameter', 'content-type': 'application/x-amz-json-1.1' }, body });
    expect(unsigned.status).to.equal(400);
    expect((await fetch(`${edge.url}/__admin/journal`)).status).to.equal(200);
    await stillServes();
  });

  it('answers a correctly signed DynamoDB GetItem whose body is null with SerializationException', async () => {
    const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials, sha256: Sha256 });
    for (const body of ['null', '[]', '"x"', '7']) {
      const signed = await signer.sign({
        method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: edge.port, path: '/', body,
        headers: { host: `127.0.0.1:${edge.port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
      });
      const r = await fetch(`${edge.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      expect(r.status, body).to.equal(400);
      expect((await r.json()).__type).to.equal('com.amazon.coral.service#SerializationException');
    }
    await stillServes();
  });

  it('refuses a null map value or list element before dynalite sees it (it threw inside its validators; found by npm run fuzz)', async () => {
    const signer = new SignatureV4({ service: 'dynamodb', region: 'us-east-1', credentials, sha256: Sha256 });
    for (const [op, input] of [
      ['PutItem', { TableName: 'any-table', Item: { pk: null } }],
      ['GetItem', { TableName: 'any-table', Key: { pk: null } }],
      ['BatchGetItem', { RequestItems: { 'any-table': { Keys: [null] } } }],
    ] as [string, unknown][]) {
      const body = JSON.stringify(input);
      const signed = await signer.sign({
        method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: edge.port, path: '/', body,
        headers: { host: `127.0.0.1:${edge.port}`, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${op}` },
      });
      const r = await fetch(`${edge.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      expect(r.status, op).to.equal(400);
      expect((await r.json()).__type).to.equal('com.amazon.coral.service#SerializationException');
    }
    await stillServes();
  });
});
