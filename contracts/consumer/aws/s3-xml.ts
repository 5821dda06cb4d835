/**
 * S3's XML answers in the AWS pact: S3 writes them in its default namespace (S3 API reference, e.g.
 * ListBucketResult / ListVersionsResult carry xmlns="http://s3.amazonaws.com/doc/2006-03-01/"). Pact names the
 * provider's elements by namespace and local name (`$['<ns>:ListBucketResult']…`) when it looks up rules, but
 * pact-js writes the XmlBuilder's rules without the namespace, so the same rules are stated again under the
 * namespaced paths.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export const nsPath = (...names: string[]) => `$${names.map((n) => (n === '#text' ? "['#text']" : `['${S3_NS}:${n}']`)).join('')}`;
const regexRule = (regex: string) => ({ matchers: [{ match: 'regex', regex }] });
const typeRule = { matchers: [{ match: 'type' }] };

export const S3_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';
export const s3Time = () => M.regex(S3_TIME, '2025-07-01T00:00:00.000Z');

/**
 * A listing's namespaced rules: `Name` and `Prefix` by type, each repeated element (`Contents`, `DeleteMarker` …)
 * by type, and each `[child, regex, repeated]` by its regex.
 */
export const listingRules = (root: string, children: string[][]) => Object.fromEntries([
  [nsPath(root, 'Name', '#text'), typeRule], [nsPath(root, 'Prefix', '#text'), typeRule],
  ...children.map(([el, regex, ...path]) => [nsPath(root, ...path, el, '#text'), regexRule(regex)]),
  ...[...new Set(children.map((c) => c[2]))].map((list) => [nsPath(root, list), typeRule]),
]);

/** A bucket's path-style root (`/{Bucket}/`), as the proxy's S3 clients address it off AWS. */
export const bucketPath = (bucket: string) => M.regex('^/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/$', `/${bucket}/`);
