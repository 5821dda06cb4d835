/**
 * Recorded AWS calls against the proxy's AWS pact: hand-made fixtures in the recorded (redacted) format. What the
 * pact allows passes; another operation, a body key the proxy never sends, a Bearer token in place of SigV4 or a
 * restore worker's DeleteObject without a VersionId fails with a problem that names it.
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

// The restore worker's calls as the recorder wrote them (fixtures/upstream/aws/packages.json).
const s3 = (method: string, path: string, query: string): UpstreamInteraction => ({
  upstream: 'aws-s3', request: { method, path, query, headers: { ...signed } }, response: { status: 200, headers: {}, body: '' },
});
const fileVersions = () => s3('GET', '/gatehouse-package-assets/', 'prefix=O1%2FD123%2FP461%2Fold-notes.txt&versions=');
const markerDelete = () => s3('DELETE', '/gatehouse-package-assets/O1/D123/P461/old-notes.txt', 'versionId=01M844YE7B2567431RS68BGCC8zzxfnv&x-id=DeleteObject');

describe('AWS fixtures against the proxy\'s AWS pact', () => {
  it('the pact exists and describes the JSON protocols and S3', () => {
    expect(interactions.map((i) => i.description)).to.include.members(['a GetItem of an API token by its hash', 'a ListObjectsV2 of a month folder', 'a SendMessageBatch of restore jobs',
      'a ListObjectVersions of a deleted package\'s file', 'a DeleteObject of a delete marker by its version id']);
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

  it('accepts the restore worker\'s recorded listings of a file and of an assets prefix, and its DeleteObject by VersionId', () => {
    expect(check(fileVersions()).allowedBy).to.equal('a ListObjectVersions of a deleted package\'s file');
    expect(check(s3('GET', '/gatehouse-package-assets/', 'prefix=O1%2FD123%2FP470%2F&versions=')).allowedBy).to.equal('a ListObjectVersions of a package\'s viewer assets');
    expect(check(markerDelete()).allowedBy).to.equal('a DeleteObject of a delete marker by its version id');
  });

  it('rejects a DeleteObject without a VersionId (in a versioned bucket it would add a delete marker, not remove one)', () => {
    const r = check(s3('DELETE', '/gatehouse-package-assets/O1/D123/P461/old-notes.txt', 'x-id=DeleteObject'));
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems.join('\n')).to.include('query versionId= is not');
  });

  it('rejects a versions listing of the whole bucket or outside a package\'s prefix', () => {
    for (const query of ['versions=', 'prefix=&versions=', 'prefix=O1%2FD123%2F&versions=']) {
      expect(check(s3('GET', '/gatehouse-package-assets/', query)).allowedBy, query).to.equal(undefined);
    }
  });

  it('rejects deleting a version of an object outside a package', () => {
    const fx = markerDelete();
    fx.request.path = '/gatehouse-package-assets/reports/DN-1001/2025/07/payout-summary.pdf';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems.join('\n')).to.include('payout-summary.pdf" does not match /^/[a-z0-9]');
  });

  it('rejects an S3 listing with a query parameter the proxy never sends', () => {
    const fx = monthListing();
    fx.request.query += '&fetch-owner=true';
    const r = check(fx);
    expect(r.allowedBy).to.equal(undefined);
    expect(r.problems).to.include('query fetch-owner is not in the pact');
  });
});
