/**
 * The surfaces the fuzzer attacks: the gateway's route groups, the proxy directly (signed with the gateway's key
 * and unsigned), every fake on HTTP and HTTPS, and each service of the AWS edge (signed with SigV4 and unsigned).
 * Each names its templates, how (and how often) its requests are signed, and the error shape it promises per path.
 */
import type { Endpoint } from './client.ts';
import { request, type RequestModel } from './request.ts';
import * as shapes from './shapes.ts';
import { gatewaySigner, sigv4Signer, type Signer } from './signing.ts';
import { appTemplates, type AppCredentials, type RouteGroup } from './templates-app.ts';
import { adminTemplates, cloudfrontTemplates, customerioTemplates, extendTemplates, mailgunTemplates, vaultTemplates, type FakeCredentials, type Make } from './templates-fakes.ts';
import { awsTemplates, type AwsService } from './templates-aws.ts';
import { consoleTemplates } from './templates-console.ts';

export interface Surface {
  name: string;
  url: string;
  templates: Make[];
  signer?: Signer;
  /** Share of cases that are signed (the rest go unsigned). */
  signedShare: number;
  /** The error shape promised for a request (its path and headers). */
  shape(req: { path: string; headers: Record<string, string> }): shapes.ShapeCheck;
}

export interface StackUrls {
  gateway: string;
  proxy: string;
  customerio: string;
  'customerio-https': string;
  extend: string;
  mailgun: string;
  cloudfront: string;
  'cloudfront-https': string;
  vault: string;
  aws: string;
  /** The local console (absent when CONSOLE_PORT=0). */
  console?: string;
}

export interface Credentials extends AppCredentials, FakeCredentials {
  gatewaySigningKeyPem: string;
  aws: { accessKeyId: string; secretAccessKey: string };
  /** A CloudFront-signed path and query for a report on the local edge. */
  cloudfrontSignedPath: string;
  fuzzQueueUrl: string;
  /** New tokens and sessions, for what the previous surface's requests may have revoked. */
  refresh(): Promise<void>;
}

/**
 * Own shape on the wire routes; on /__admin the frame's `{"error"}` — or the service's own, for what is refused
 * before any route is known (Node's parser, a missing Host), which the server answers in its service's shape.
 */
const withAdmin = (own: shapes.ShapeCheck) => (req: { path: string }) => (req.path.startsWith('/__admin') ? shapes.anyOf(shapes.frameError, own) : own);

/**
 * The AWS edge is one port: a request goes to the JSON service its X-Amz-Target names, anything else to S3
 * (edge.ts), and it is refused in that service's shape. So the shape is chosen per request, as the edge does.
 */
const TARGETS: [string, shapes.ShapeCheck][] = [['AmazonSSM.', shapes.awsJsonError], ['AmazonSQS.', shapes.awsJsonError], ['DynamoDB_20120810.', shapes.dynamodbError], ['secretsmanager.', shapes.awsJsonError]];
const edgeShape = (req: { path: string; headers: Record<string, string> }): shapes.ShapeCheck => {
  const target = req.headers['x-amz-target'] ?? '';
  const byTarget = TARGETS.find(([prefix]) => target.startsWith(prefix))?.[1];
  const scope = /Credential=[^/,\s]*\/[^/]*\/[^/]*\/([^/,\s]+)/.exec(req.headers.authorization ?? '')?.[1];
  const byScope = scope === 'dynamodb' ? shapes.dynamodbError : scope && ['ssm', 'sqs', 'secretsmanager'].includes(scope) ? shapes.awsJsonError : undefined;
  // A request the parser refuses before reaching its headers cannot name a service: the edge answers as S3.
  return withAdmin(byTarget || byScope ? shapes.anyOf((byTarget ?? byScope)!, shapes.s3ParserRefusal) : shapes.s3Error)(req);
};

/**
 * The local stack's admin API on the proxy's port (the audit trail, the proxy's trace records; trace-endpoint.ts).
 * Not the live stream: it never ends, so it has no answer to judge.
 */
const proxyAdminTemplates: (() => RequestModel)[] = [
  () => request('GET', '/__admin/traces', { query: 'limit=5&status=200&function=mail' }),
  () => request('GET', '/__admin/traces', { query: 'trace=4bf92f3577b34da6a3ce929d0e0e4736' }),
  () => request('GET', '/__admin/traces/4bf92f3577b34da6a3ce929d0e0e4736'),
  () => request('GET', '/__admin/audit', { query: 'action=auth.jwt_refused' }),
];

export function endpointOf(url: string): Endpoint {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), tls: u.protocol === 'https:' };
}

export function buildSurfaces(urls: StackUrls, creds: Credentials): Surface[] {
  const app = appTemplates(creds);
  const group = (g: RouteGroup) => app.filter((t) => t.group === g).map((t) => t.make);
  // Through the gateway: its own refusals are API Gateway's, the proxy's come through unchanged.
  const viaGateway = withAdmin(shapes.anyOf(shapes.apiGatewayError, shapes.gatehouseError));
  const gateway = (g: RouteGroup, extra: Make[] = []): Surface => ({ name: `gateway-${g}`, url: urls.gateway, templates: [...group(g), ...extra], signedShare: 0, shape: viaGateway });
  const aws = (service: AwsService): Surface => ({
    name: `aws-${service}`,
    url: urls.aws,
    templates: [...awsTemplates(service, creds.fuzzQueueUrl), ...(service === 's3' ? adminTemplates : [])],
    signer: sigv4Signer(service, creds.aws),
    signedShare: 0.8,
    shape: edgeShape,
  });
  const fake = (name: string, url: string, templates: Make[], shape: shapes.ShapeCheck): Surface => ({ name, url, templates, signedShare: 0, shape: withAdmin(shape) });
  return [
    gateway('customerio', adminTemplates),
    gateway('cards'),
    gateway('mail'),
    gateway('packages'),
    { name: 'proxy', url: urls.proxy, templates: [...app.map((t) => t.make), ...proxyAdminTemplates], signer: gatewaySigner(creds.gatewaySigningKeyPem), signedShare: 0.75, shape: () => shapes.gatehouseError },
    fake('customerio', urls.customerio, customerioTemplates, shapes.customerioError),
    fake('customerio-https', urls['customerio-https'], customerioTemplates, shapes.customerioError),
    fake('extend', urls.extend, extendTemplates(creds), shapes.extendError),
    fake('mailgun', urls.mailgun, mailgunTemplates, shapes.mailgunError),
    fake('vault', urls.vault, vaultTemplates, shapes.vaultError),
    fake('cloudfront', urls.cloudfront, cloudfrontTemplates(creds.cloudfrontSignedPath), shapes.cloudfrontError),
    fake('cloudfront-https', urls['cloudfront-https'], cloudfrontTemplates(creds.cloudfrontSignedPath), shapes.cloudfrontError),
    aws('s3'),
    aws('ssm'),
    aws('sqs'),
    aws('dynamodb'),
    aws('secretsmanager'),
    // The console answers everything in Gatehouse's own error shape (emulators/console/app.ts).
    ...(urls.console ? [{ name: 'console', url: urls.console, templates: consoleTemplates, signedShare: 0, shape: () => shapes.gatehouseError }] : []),
  ];
}
