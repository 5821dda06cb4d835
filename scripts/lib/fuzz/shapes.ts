/**
 * The error shape each server promises, as a check over an answer: undefined when the answer is in shape, else
 * why not. "Every refusal is JSON" means: in the shape of the service the server stands for — Gatehouse's own
 * `{"error":{code,message}}`, API Gateway's `{"message"}`, AWS JSON's `{"__type"}`, S3's XML `<Error>`, Vault's
 * `{"errors":[…]}` — and HTML only where the real service sends HTML (CloudFront's error page, Mailgun's 404).
 */

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type ShapeCheck = (a: Answer) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function parseJson(a: Answer): { ok: true; value: unknown } | { ok: false; why: string } {
  const ct = a.headers['content-type'] ?? '';
  if (!/json/i.test(ct)) return { ok: false, why: `content-type ${ct || '(none)'}` };
  try {
    return { ok: true, value: JSON.parse(a.body.toString('utf8')) };
  } catch {
    return { ok: false, why: a.body.length ? 'body is not JSON' : 'empty body' };
  }
}

/** A JSON body the predicate accepts. */
export const json = (what: string, accepts: (body: Record<string, unknown>) => boolean): ShapeCheck => (a) => {
  const v = parseJson(a);
  if (!v.ok) return v.why;
  return isObject(v.value) && accepts(v.value) ? undefined : `JSON is not ${what}`;
};

/** Any of the checks (a server that relays another's errors, or a service with two documented shapes). */
export const anyOf = (...checks: ShapeCheck[]): ShapeCheck => (a) => {
  const whys = checks.map((c) => c(a));
  return whys.some((w) => w === undefined) ? undefined : whys.join('; ');
};

const str = (v: unknown) => typeof v === 'string';

export const gatehouseError = json('{"error":{"code","message"}}', (b) => isObject(b.error) && str(b.error.code) && str(b.error.message));
export const apiGatewayError = json('{"message"}', (b) => str(b.message));
export const frameError = json('{"error"}', (b) => str(b.error));
export const customerioError = json('{"meta":{"error"}}', (b) => isObject(b.meta) && str(b.meta.error));
export const extendError = json('{"error"}', (b) => str(b.error));
/** Vault: `{"errors":[…]}`, except a read of a soft-deleted KV v2 version: 404 with the data envelope (vault/errors.ts). */
export const vaultError = json('{"errors":[…]} or the 404 data envelope', (b) => Array.isArray(b.errors) || (typeof b.request_id === 'string' && 'data' in b));
/** AWS JSON 1.0/1.1: `__type` always; dynalite sends SerializationException without a message, as DynamoDB does. */
export const awsJsonError = json('{"__type"}', (b) => str(b.__type));

const xmlError = (a: Answer): string | undefined => {
  const text = a.body.toString('utf8');
  if (!/xml/i.test(a.headers['content-type'] ?? '')) return `content-type ${a.headers['content-type'] ?? '(none)'}`;
  return /<Error>[\s\S]*<Code>[^<]+<\/Code>/.test(text) ? undefined : 'XML without <Error><Code>';
};

/** S3 answers errors in XML; a HEAD answer has no body to carry one. */
export const s3Error: ShapeCheck = (a) => (a.body.length === 0 && a.headers['x-amz-request-id'] ? undefined : xmlError(a));

/** S3's refusal of a request its parser could not read (edge-errors.ts): the edge's default when no service is known. */
export const s3ParserRefusal: ShapeCheck = (a) =>
  s3Error(a) ?? (/<Code>(BadRequest|RequestHeaderSectionTooLarge|RequestTimeout)<\/Code>/.test(a.body.toString('utf8')) ? undefined : 'not a parser refusal');

/** DynamoDB: AWS JSON, except the non-POST refusal DynamoDB answers with `<UnknownOperationException/>` (dynalite records it). */
export const dynamodbError: ShapeCheck = (a) => (/^<UnknownOperationException\/>/.test(a.body.toString('utf8')) ? undefined : awsJsonError(a));

const htmlPage = (title: RegExp): ShapeCheck => (a) =>
  /text\/html/i.test(a.headers['content-type'] ?? '') && title.test(a.body.toString('utf8')) ? undefined : 'not the expected HTML page';

/** CloudFront: signing denials and origin errors in XML, its own refusals as its HTML error page. */
export const cloudfrontError = anyOf(xmlError, htmlPage(/ERROR: The request could not be satisfied/), (a) => (a.body.length === 0 ? undefined : 'has a body'));

/** Mailgun: `{"message"}`, the bare text "Forbidden" for a failed Basic auth, and an HTML page for unknown paths. */
export const mailgunError = anyOf(
  json('{"message"}', (b) => str(b.message)),
  (a) => (a.status === 401 && a.body.toString('utf8').trim() === 'Forbidden' ? undefined : 'not the bare Forbidden'),
  (a) => (a.status === 404 ? htmlPage(/404 Not Found/)(a) : 'not a 404 page'),
);
