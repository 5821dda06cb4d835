/**
 * Recorded AWS calls against the proxy's AWS pact: hand-made fixtures in the recorded (redacted) format. What the
 * pact allows passes; another operation, a body key the proxy never sends or a Bearer token in place of SigV4 fails
 * with a problem that names it.
 */
import { expect } from 'chai';
import { checkFixtures, providerPacts } from '../../scripts/lib/replay/pact-check.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import type { UpstreamInteraction } from '../../scripts/lib/replay/upstream.ts';

const redact = new Redactor();
const interactions = providerPacts('aws').flatMap((p) => p.interactions);
// As the recorder writes them: SigV4 scheme kept, signature and payload hash masked, x-amz-date dropped.
const signed = { authorization: 'AWS4-HMAC-SHA256 [REDACTED]', 'x-amz-content-sha256': '[REDACTED]' };

const tokenLookup = (): UpstreamInteraction => ({
  upstream: 'aws-dynamodb',
  request: {
    method: 'POST', path: '/', query: '',
    headers: { ...signed, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
    body: { TableName: 'gatehouse-api-tokens', Key: { tokenHash: { S: '[REDACTED]' } }, ConsistentRead: true },
  },
  response: { status: 200, headers: {}, body: {} },
});

const monthListing = (): UpstreamInteraction => ({
  upstream: 'aws-s3',
  request: { method: 'GET', path: '/gatehouse-package-assets/', query: 'list-type=2&prefix=reports%2FDN-1001%2F2025%2F07%2F', headers: { ...signed } },
  response: { status: 200, headers: {}, body: '' },
});

const check = (fx: UpstreamInteraction) => checkFixtures([fx], interactions, redact)[0];

describe('AWS fixtures against the proxy\'s AWS pact', () => {
  it('the pact exists and describes the JSON protocols and S3', () => {
    expect(interactions.map((i) => i.description)).to.include.members(['a GetItem of an API token by its hash', 'a ListObjectsV2 of a month folder', 'a SendMessageBatch of restore jobs']);
  });

  it('accepts a recorded token lookup: the redacted hash stands in for the pact\'s, the dropped x-amz-date is not asked for', () => {
    expect(check(tokenLookup())).to.deep.include({ allowedBy: 'a GetItem of an API token by its hash', problems: [] });
  });

  it('accepts a recorded S3 month listing (path and query under the pact\'s rules)', () => {
    expect(check(monthListing()).allowedBy).to.equal('a ListObjectsV2 of a month folder');
  });

  it('rejects another operation (X-Amz-Target)', () => {
    const fx = tokenLookup();
    fx.request.headers['x-amz-target'] = 'DynamoDB_20120810.DeleteItem';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems.join('\n')).to.include('header x-amz-target: "DynamoDB_20120810.DeleteItem" is not "DynamoDB_20120810.GetItem"');
  });

  it('rejects a body key the proxy never sends, naming it', () => {
    const fx = tokenLookup();
    (fx.request.body as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems).to.include('$.ReturnConsumedCapacity: not in the pact');
  });

  it('rejects a Bearer token where AWS takes SigV4', () => {
    const fx = tokenLookup();
    fx.request.headers.authorization = 'Bearer [REDACTED]';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems.join('\n')).to.match(/header authorization: "Bearer \[REDACTED\]" does not match \/\^AWS4-HMAC-SHA256 Credential=/);
  });

  it('rejects an S3 listing with a query parameter the proxy never sends', () => {
    const fx = monthListing();
    fx.request.query += '&fetch-owner=true';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems).to.include('query fetch-owner is not in the pact');
  });
});
