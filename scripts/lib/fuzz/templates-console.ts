/**
 * Starting requests for the local console's HTTP API (emulators/console): every read route with its query, the
 * reveal routes, bundles, and a replay upload that is never a valid HAR (an empty one), so no run replays traffic.
 * Nothing that resets the stack or turns a fault on: a fault spec here can never become valid.
 */
import { request } from './request.ts';
import type { Make } from './templates-fakes.ts';

const BUCKET = 'gatehouse-package-assets';

export const consoleTemplates: Make[] = [
  () => request('GET', '/api/stack'),
  () => request('POST', '/api/stack/extend/faults', { json: { status: 'never-valid', ratio: 0.5 } }),
  () => request('GET', '/api/stack/mailgun/faults'),
  () => request('GET', '/api/traces', { query: 'limit=5' }),
  () => request('GET', '/api/traces/1'),
  () => request('GET', '/api/near-misses'),
  () => request('GET', '/api/mail/messages', { query: 'to=ada@example.com&subject=July' }),
  () => request('GET', '/api/mail/messages/%3Cnone%40mg.gatehouse.local%3E'),
  () => request('GET', '/api/customerio/people', { query: 'q=ada' }),
  () => request('GET', '/api/customerio/people/a3000001'),
  () => request('GET', '/api/customerio/activity'),
  () => request('GET', '/api/s3/buckets'),
  () => request('GET', '/api/s3/list', { query: `bucket=${BUCKET}&prefix=reports/&max=5` }),
  () => request('GET', '/api/s3/object', { query: `bucket=${BUCKET}&key=reports/DN-1001/2025/07/payout-summary.pdf` }),
  () => request('GET', '/api/s3/url', { query: `bucket=${BUCKET}&key=reports/DN-1001/2025/07/payout-summary.pdf` }),
  () => request('POST', '/api/s3/bundle', { json: { bucket: BUCKET, keys: ['reports/DN-1002/', 'O1/D123/P456/data.csv'] } }),
  () => request('GET', '/api/aws/dynamodb'),
  () => request('GET', '/api/aws/dynamodb/gatehouse-mail-deliveries', { query: 'limit=5' }),
  () => request('GET', '/api/aws/sqs'),
  () => request('GET', '/api/aws/ssm'),
  () => request('POST', '/api/aws/ssm/reveal', { json: { name: '/gatehouse/packages/viewer-assets-bucket' } }),
  () => request('GET', '/api/aws/secrets'),
  () => request('GET', '/api/vault/tree', { query: 'mount=secret&path=gatehouse/' }),
  () => request('GET', '/api/vault/secret', { query: 'mount=secret&path=gatehouse/mail' }),
  () => request('GET', '/api/cloudfront'),
  () => request('GET', '/api/extend'),
  () => request('GET', '/api/extend/transactions', { query: 'card=vc_none' }),
  () => request('GET', '/api/replay/fixtures'),
  () => request('POST', '/api/replay', { json: { har: '{"log":{"entries":[]}}', name: 'fuzz.har' } }),
  () => request('GET', '/api/replay/1'),
  () => request('GET', '/page/app.js'),
];
