/**
 * The restore worker's AWS calls, from its own code: `buildRestoreWorker` (proxy/functions/restore-worker.ts) with
 * its S3 client pointed at the mock server, fed one SQS record of the job POST /packages/restore queues, over the
 * seeded packages database with N:package:461 RESTORING (as the route leaves it). For each of the package's files
 * and for its viewer-assets prefix it lists the versions and deletes, by VersionId, each delete marker that is the
 * latest version (restore-job.ts), then marks the package READY.
 * Wire shapes: S3 API reference (ListObjectVersions: GET /{Bucket}?versions, ListVersionsResult XML;
 * DeleteObject: DELETE /{Bucket}/{Key}?versionId=, 204) and S3 user guide "Removing delete markers".
 */
import { MatchersV3 as M, XmlBuilder } from '@pact-foundation/pact';
import { silentLogger } from '../../../proxy/core/log.ts';
import { buildRestoreWorker, type SqsRecord } from '../../../proxy/functions/restore-worker.ts';
import { findPackageById, transition } from '../../../proxy/routes/packages/store.ts';
import { JOB, withSeededDatabase } from './packages.ts';
import type { AwsFlow, AwsInteraction } from './run.ts';
import { bucketPath, listingRules, S3_NS, S3_TIME, s3Time } from './s3-xml.ts';
import { AWS_STATES as S, EXAMPLES as X } from './states.ts';
import { awsEnv, s3Call, xmlAnswer } from './wire.ts';

const KEY = '^\\S+$';
/** S3 version ids are opaque URL-safe strings (S3 user guide, "How S3 Versioning works"). */
const VERSION_ID = '^[A-Za-z0-9._+=-]+$';

/**
 * Every child S3 writes into a listed version (Pact refuses children an element of the example lacks), in the
 * S3 API reference's member names: DeleteMarkerEntry (Owner, Key, VersionId, IsLatest, LastModified) and
 * ObjectVersion (ETag, IsLatest, Key, LastModified, Owner, Size, StorageClass, VersionId).
 */
const owner = (e: any) => e.appendElement('Owner', {} as never, (o: any) => {
  o.appendElement('ID', {} as never, M.like('75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a'));
  o.appendElement('DisplayName', {} as never, M.like('webfile'));
});
const ownerRules = (list: string): string[][] => [['ID', '^\\S+$', list, 'Owner'], ['DisplayName', '^\\S*$', list, 'Owner']];

/** The file's listing: its latest version is the delete marker the package's deletion left (S3 API reference, DeleteMarkerEntry). */
const markerListing = new XmlBuilder('1.0', 'UTF-8', 'ListVersionsResult').build((r) => {
  r.setAttributes({ xmlns: S3_NS } as never);
  r.appendElement('IsTruncated', {} as never, 'false');
  r.appendElement('Name', {} as never, M.like(X.assetsBucket));
  r.appendElement('Prefix', {} as never, M.like(X.restoreFile));
  r.eachLike('DeleteMarker', {} as never, (d) => {
    owner(d);
    d.appendElement('Key', {} as never, M.regex(KEY, X.restoreFile));
    d.appendElement('VersionId', {} as never, M.regex(VERSION_ID, X.deleteMarkerVersion));
    d.appendElement('IsLatest', {} as never, 'true');
    d.appendElement('LastModified', {} as never, s3Time());
  });
});
const markerRules = listingRules('ListVersionsResult', [
  ['Key', KEY, 'DeleteMarker'], ['VersionId', VERSION_ID, 'DeleteMarker'], ['LastModified', S3_TIME, 'DeleteMarker'], ...ownerRules('DeleteMarker'),
]);

/** The assets prefix once the file is back: live versions only, nothing for the worker to remove (ObjectVersion). */
const liveListing = new XmlBuilder('1.0', 'UTF-8', 'ListVersionsResult').build((r) => {
  r.setAttributes({ xmlns: S3_NS } as never);
  r.appendElement('IsTruncated', {} as never, 'false');
  r.appendElement('Name', {} as never, M.like(X.assetsBucket));
  r.appendElement('Prefix', {} as never, M.like(X.restoreAssets));
  r.eachLike('Version', {} as never, (v) => {
    v.appendElement('ETag', {} as never, M.like('"5b2b5d8f0c1e1c9d2a4f3e6b7a8c9d0e"'));
    v.appendElement('IsLatest', {} as never, 'true');
    v.appendElement('Key', {} as never, M.regex(KEY, X.restoreFile));
    v.appendElement('LastModified', {} as never, s3Time());
    owner(v);
    v.appendElement('Size', {} as never, M.regex('^\\d+$', '10'));
    v.appendElement('StorageClass', {} as never, M.like('STANDARD'));
    v.appendElement('VersionId', {} as never, M.regex(VERSION_ID, '01JZ0000000000000000000000fake00'));
  });
});
const liveRules = listingRules('ListVersionsResult', [
  ['ETag', '^".*"$', 'Version'], ['Key', KEY, 'Version'], ['LastModified', S3_TIME, 'Version'], ['Size', '^\\d+$', 'Version'],
  ['StorageClass', '^[A-Z_]+$', 'Version'], ['VersionId', VERSION_ID, 'Version'], ...ownerRules('Version'),
]);

/** `?versions&prefix=…`: an object key as the prefix (a file), or a package's `O{org}/D{dataset}/P{package}/`. */
const versionsOf = (prefix: ReturnType<typeof M.regex>) => ({ versions: '', prefix });
const FILE_PREFIX = M.regex('^O\\d+/D\\d+/P\\d+/.*[^/]$', X.restoreFile);
const ASSETS_PREFIX = M.regex('^O\\d+/D\\d+/P\\d+/$', X.restoreAssets);

const interactions: AwsInteraction[] = [
  {
    given: [S.fileBehindDeleteMarker], uponReceiving: 'a ListObjectVersions of a deleted package\'s file', method: 'GET', path: bucketPath(X.assetsBucket),
    query: versionsOf(FILE_PREFIX), headers: s3Call(), status: 200, responseHeaders: xmlAnswer(), xml: markerListing, xmlRules: markerRules,
  },
  {
    // The marker's id comes from the provider state: deleting it is what makes the previous version current again.
    given: [S.fileBehindDeleteMarker], uponReceiving: 'a DeleteObject of a delete marker by its version id', method: 'DELETE',
    path: M.regex('^/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/O\\d+/D\\d+/P\\d+/\\S+$', `/${X.assetsBucket}/${X.restoreFile}`),
    // x-id: the SDK names the operation in the query of every S3 REST call it sends; S3 ignores it.
    query: { 'x-id': 'DeleteObject', versionId: M.fromProviderState('${deleteMarkerVersionId}', X.deleteMarkerVersion) }, headers: s3Call(), status: 204,
  },
  {
    given: [S.assetsLive], uponReceiving: 'a ListObjectVersions of a package\'s viewer assets', method: 'GET', path: bucketPath(X.assetsBucket),
    query: versionsOf(ASSETS_PREFIX), headers: s3Call(), status: 200, responseHeaders: xmlAnswer(), xml: liveListing, xmlRules: liveRules,
  },
];

/** One SQS record as Lambda delivers it (AWS Lambda docs, "Using Lambda with Amazon SQS", example event). */
const record = (body: string): SqsRecord => ({
  messageId: '00000000-0000-4000-8000-000000000000', receiptHandle: 'fake-receipt-handle', body, attributes: {}, messageAttributes: {},
  md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${X.restoreQueue}`, awsRegion: 'us-east-1',
});

/** The worker's answer to the batch, and the package's state after it. */
function restoreByWorker(endpoint: string): Promise<unknown> {
  return withSeededDatabase(async (db) => {
    await transition(db, 1, [461], 'DELETED', 'RESTORING');
    const worker = await buildRestoreWorker({ env: { ...awsEnv(endpoint), VIEWER_ASSETS_BUCKET: X.assetsBucket }, log: silentLogger(), openDb: async () => db });
    const answer = await worker({ Records: [record(JOB)] });
    return { ...answer, state: (await findPackageById(db, 1, 461))?.state };
  });
}

export const restoreWorkerFlows: AwsFlow[] = [{
  title: 'the restore worker removes the delete marker in front of a package\'s file, then finds its assets live (ListObjectVersions, DeleteObject by VersionId)',
  interactions, run: restoreByWorker, expected: { batchItemFailures: [], state: 'READY' },
}];
