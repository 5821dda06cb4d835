/**
 * The ways a request goes wrong, each a named edit of a RequestModel. `before` edits run before the request is
 * signed (so a signed request still passes authentication and reaches the code behind it); `after` edits change
 * the bytes on the wire after signing (framing, duplicated and injected headers, hanging up).
 */
import type { Random } from './random.ts';
import { header, removeHeader, setHeader, type RequestModel } from './request.ts';
import { parseJsonWithin } from '../../../proxy/core/json-limits.ts';

export interface MutationContext {
  /** host:port of a listener that must never be reached (SSRF probes aim at it). */
  elsewhere: string;
}

export interface Mutation {
  name: string;
  phase: 'before' | 'after';
  weight: number;
  apply(m: RequestModel, rng: Random, ctx: MutationContext): void;
}

const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Percent-encode every byte of the UTF-8 form but the unreserved ones (lone surrogates included, unlike encodeURIComponent). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** Strange strings: NUL, controls, unicode of every width, lone surrogates, RTL overrides, very long. */
function strangeString(rng: Random): string {
  return rng.pick([
    '\u0000', 'a\u0000b', '\u0001\u001f\u007f', '\u00e9\u00df', '\u0416\u0436', '\u{1F600}\u{1F4A9}', '\ud800', '\udfff',
    '\u202e\u202d', '\ufeff', '\uffff', '..', '../../etc/passwd', '%00', '<script>', "'; DROP TABLE x;--", '${jndi:x}',
    'a'.repeat(rng.int(256, 70_000)), ' ', '', '\\', '"', '\n', '\r\n', '{{7*7}}',
  ]);
}

function strangeValue(rng: Random): unknown {
  return rng.pick<() => unknown>([
    () => null, () => true, () => 0, () => -1, () => 1e308, () => -0, () => 2 ** 53 + 1, () => 1.5, () => [],
    () => ({}), () => [null], () => ({ '': 1 }), () => ({ __proto__: { polluted: 1 } }), () => ({ constructor: { prototype: { x: 1 } } }),
    () => strangeString(rng), () => '1', () => 'true', () => 'null', () => Array.from({ length: rng.int(100, 5000) }, (_, i) => i),
  ])();
}

/** The body as JSON to edit, unless it is not JSON or too deep to walk and serialise again. */
function jsonOf(m: RequestModel): unknown {
  const v = parseJsonWithin(m.body, { maxBytes: 16 * 1024 * 1024, maxDepth: 200 });
  return v.ok ? v.value : undefined;
}

/** Every [container, key] pair in a JSON value, so one can be replaced. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = [], depth = 0): typeof out {
  if (depth > 20 || !v || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v)) {
    out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
    slots(x, out, depth + 1);
  }
  return out;
}

function nested(depth: number, kind: 'array' | 'object', leaf = '1'): string {
  return kind === 'array' ? '['.repeat(depth) + leaf + ']'.repeat(depth) : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

const setBody = (m: RequestModel, body: Buffer | string) => {
  m.body = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
};

/** Rebuild a query with one parameter changed (raw, unencoded on purpose). */
function editQuery(m: RequestModel, rng: Random, value: string): void {
  const parts = m.query ? m.query.split('&') : [];
  if (parts.length && rng.chance(0.7)) {
    const i = rng.int(0, parts.length - 1);
    const [k] = parts[i].split('=');
    parts[i] = `${k}=${value}`;
  } else parts.push(`${rng.pick(['q', 'x', 'dataset_id', 'key', 'path', 'redirect', 'count'])}=${value}`);
  m.query = parts.join('&');
}

/** Replace one path segment (not the first, which names the route group). */
function editSegment(m: RequestModel, rng: Random, value: string): void {
  const segs = m.path.split('/');
  if (segs.length < 3) return void (m.path += `/${value}`);
  segs[rng.int(2, segs.length - 1)] = value;
  m.path = segs.join('/');
}

export const MUTATIONS: Mutation[] = [
  // Bodies
  { name: 'truncated-json', phase: 'before', weight: 4, apply: (m, rng) => setBody(m, m.body.subarray(0, rng.int(0, Math.max(0, m.body.length - 1)))) },
  {
    name: 'invalid-json', phase: 'before', weight: 4,
    apply: (m, rng) => {
      const s = m.body.toString('utf8') || '{}';
      const at = rng.int(0, s.length);
      setBody(m, s.slice(0, at) + rng.pick(['}', ']', ',', ':', '"', "'", 'NaN', 'undefined', '\\', '{', '//x', '\u0000', '0x10', '+1']) + s.slice(at));
    },
  },
  {
    name: 'wrong-types', phase: 'before', weight: 8,
    apply: (m, rng) => {
      const v = jsonOf(m);
      const all = slots(v);
      if (!all.length) return setBody(m, JSON.stringify(strangeValue(rng)));
      for (let n = rng.int(1, 3); n > 0; n--) {
        const [container, key] = rng.pick(all);
        (container as Record<string, unknown>)[key as string] = strangeValue(rng);
      }
      setBody(m, JSON.stringify(v));
    },
  },
  {
    name: 'json-scalar-body', phase: 'before', weight: 3,
    apply: (m, rng) => setBody(m, rng.pick(['null', '[]', '"x"', '7', 'true', '1e999', '-0', '""', '[{}]', '{"a":1}{"b":2}', ' ', '\ufeff{}'])),
  },
  {
    name: 'deep-nesting', phase: 'before', weight: 5,
    apply: (m, rng) => {
      const depth = rng.pick([63, 64, 65, 129, 1000, 5000, 100_000]);
      const kind = rng.pick(['array', 'object'] as const);
      const v = jsonOf(m);
      const all = slots(v);
      if (all.length && rng.chance(0.5)) {
        // Deep inside a real field, so it passes a top-level type check and reaches the code behind it.
        const [container, key] = rng.pick(all);
        const marker = '"__DEEP__"';
        (container as Record<string, unknown>)[key as string] = '__DEEP__';
        return setBody(m, JSON.stringify(v).replace(marker, nested(depth, kind)));
      }
      setBody(m, nested(depth, kind));
    },
  },
  {
    name: 'strange-strings', phase: 'before', weight: 6,
    apply: (m, rng) => {
      const v = jsonOf(m);
      const all = slots(v).filter(([c, k]) => typeof (c as Record<string, unknown>)[k as string] === 'string');
      if (!all.length) return setBody(m, Buffer.concat([m.body, Buffer.from(strangeString(rng), 'utf8')]));
      const [container, key] = rng.pick(all);
      (container as Record<string, unknown>)[key as string] = strangeString(rng);
      setBody(m, JSON.stringify(v));
    },
  },
  {
    name: 'invalid-utf8', phase: 'before', weight: 2,
    apply: (m, rng) => {
      const at = rng.int(0, m.body.length);
      setBody(m, Buffer.concat([m.body.subarray(0, at), Buffer.from(rng.pick([[0xc0, 0xaf], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]])), m.body.subarray(at)]));
    },
  },
  {
    name: 'big-json', phase: 'before', weight: 1,
    apply: (m, rng) => {
      const v = jsonOf(m);
      const big = rng.pick<() => unknown>([
        () => Object.fromEntries(Array.from({ length: rng.int(10_000, 60_000) }, (_, i) => [`k${i}`, i])),
        () => 'x'.repeat(rng.int(100_000, 1_100_000)),
        () => Array.from({ length: rng.int(10_000, 100_000) }, () => ({})),
      ])();
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v);
        (v as Record<string, unknown>)[keys.length ? rng.pick(keys) : 'big'] = big;
        return setBody(m, JSON.stringify(v));
      }
      setBody(m, JSON.stringify(big));
    },
  },
  { name: 'oversize-body', phase: 'before', weight: 0.3, apply: (m, rng) => setBody(m, Buffer.alloc(rng.pick([1024 * 1024 + 1, 2 * 1024 * 1024 + 1, 10 * 1024 * 1024 + 1, rng.int(1, 12) * 1024 * 1024]), 0x61)) },
  { name: 'empty-body', phase: 'before', weight: 2, apply: (m) => setBody(m, Buffer.alloc(0)) },
  { name: 'binary-body', phase: 'before', weight: 1, apply: (m, rng) => setBody(m, rng.bytes(rng.int(1, 4096))) },
  {
    name: 'form-body', phase: 'before', weight: 1,
    apply: (m, rng) => {
      setHeader(m, 'content-type', 'application/x-www-form-urlencoded');
      setBody(m, rng.pick(['a=1&a=2&b', '%zz=1', 'to=x%00y&subject=', '=&=&&', 'recipient-variables={"a":', `x=${'%41'.repeat(5000)}`]));
    },
  },
  {
    name: 'bad-content-type', phase: 'before', weight: 4,
    apply: (m, rng) => {
      const v = rng.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=x',
        'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/xml', '', ';;;', 'application/json, text/plain', 'application/vnd.x+json', '*/*', utf8AsLatin1('application/jsön')]);
      if (rng.chance(0.15)) removeHeader(m, 'content-type');
      else setHeader(m, 'content-type', v);
    },
  },
  {
    name: 'multipart-garbage', phase: 'before', weight: 1,
    apply: (m, rng) => {
      setHeader(m, 'content-type', 'multipart/form-data; boundary=XyZ');
      setBody(m, rng.pick([
        '--XyZ\r\nContent-Disposition: form-data; name="to"\r\n\r\na@b.c\r\n--XyZ',
        '--XyZ\r\nContent-Disposition: form-data; name="attachment"; filename="../../x"\r\n\r\n\u0000\u0001\r\n--XyZ--\r\n',
        '--XyZ\r\n\r\n--XyZ--', '--nope\r\n', `--XyZ\r\nContent-Disposition: form-data; name="${'n'.repeat(10_000)}"\r\n\r\nv\r\n--XyZ--\r\n`,
      ]));
    },
  },

  // Methods
  { name: 'unknown-method', phase: 'before', weight: 2, apply: (m, rng) => (m.method = rng.pick(['BREW', 'PROPFIND', 'LIST', 'get', 'Post', 'CONNECT', 'TRACE', 'M-SEARCH', 'SEARCH', 'PURGE', 'X'.repeat(100)])) },
  { name: 'other-method', phase: 'before', weight: 3, apply: (m, rng) => (m.method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'])) },

  // Targets
  {
    name: 'bad-percent-encoding', phase: 'before', weight: 4,
    apply: (m, rng) => {
      const junk = rng.pick(['%', '%z', '%zz', '%E0%A4%A', '%00', '%2F', '%2e%2e', '%25', '%C0%AF', '%u0041', '%%', '%ff%fe', '%0d%0a']);
      if (rng.chance(0.5)) editSegment(m, rng, `a${junk}b`);
      else editQuery(m, rng, junk);
    },
  },
  {
    name: 'double-slash', phase: 'before', weight: 3,
    apply: (m, rng, ctx) => (m.path = rng.pick([`/${m.path}`, `//${ctx.elsewhere}${m.path}`, `${m.path.replace(/\//g, '//')}`, `///${ctx.elsewhere}/v1/secret/data/x`])),
  },
  { name: 'absolute-form', phase: 'before', weight: 2, apply: (m, rng, ctx) => (m.absolute = rng.pick([ctx.elsewhere, `user@${ctx.elsewhere}`, '127.0.0.1', 'localhost:1', '[::1]:80'])) },
  {
    name: 'ssrf-path', phase: 'before', weight: 2,
    apply: (m, rng, ctx) => (m.path = rng.pick([`/\\${ctx.elsewhere}/x`, `/@${ctx.elsewhere}/x`, `/%2F%2F${ctx.elsewhere}/x`, `/..%2F..%2F${ctx.elsewhere}`, `/./${m.path}`, `/a/../${m.path}`, `${m.path}/..`, `${m.path}%2F..%2Fadmin`])),
  },
  { name: 'strange-path-segment', phase: 'before', weight: 4, apply: (m, rng) => editSegment(m, rng, pct(strangeString(rng)).slice(0, rng.pick([10, 200, 20_000]))) },
  { name: 'raw-bytes-in-path', phase: 'before', weight: 1, apply: (m, rng) => editSegment(m, rng, utf8AsLatin1(rng.pick(['é', '😀', 'a b', 'a\tb', 'a"b', 'a<b>', 'a{b}', 'a|b', 'a^b', 'a`b']))) },
  { name: 'strange-query', phase: 'before', weight: 4, apply: (m, rng) => editQuery(m, rng, pct(strangeString(rng)).slice(0, 5000)) },
  {
    name: 'query-bomb', phase: 'before', weight: 1,
    apply: (m, rng) => (m.query = rng.pick([
      Array.from({ length: 2000 }, (_, i) => `a${i}=${i}`).join('&'), Array.from({ length: 1000 }, () => 'dataset_id=x').join('&'),
      '&&&=&=', 'a[b][c][d][e][f]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', '=', '?', '#frag',
    ])),
  },
  { name: 'long-url', phase: 'before', weight: 1, apply: (m, rng) => (m.path += `/${'a'.repeat(rng.pick([4000, 9000, 17_000, 70_000]))}`) },

  // Headers (before signing: values that still parse)
  {
    name: 'strange-header-value', phase: 'before', weight: 4,
    apply: (m, rng) => {
      const name = m.headers.length && rng.chance(0.6) ? rng.pick(m.headers)[0] : rng.pick(['x-user-email', 'x-request-id', 'accept', 'origin', 'x-forwarded-for', 'idempotency-key', 'range', 'if-match', 'x-amz-date', 'x-amz-content-sha256', 'expect']);
      setHeader(m, name, utf8AsLatin1(strangeString(rng)).replace(/[\r\n\u0000]/g, '').slice(0, 8000));
    },
  },
  {
    name: 'bad-credentials', phase: 'before', weight: 4,
    apply: (m, rng) => {
      const name = rng.pick(['authorization', 'x-api-key', 'token', 'x-vault-token', 'signature', 'digest', 'x-user-email']);
      setHeader(m, name, rng.pick(['Bearer ', 'Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.', 'Basic', 'Basic !!!', 'Basic ' + Buffer.from(':').toString('base64'),
        'AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00', 'AWS4-HMAC-SHA256 Credential=', 'AWS4-HMAC-SHA256',
        'keyId="gatehouse-gateway",algorithm="rsa-sha256",headers="(request-target)",signature="AAAA"', 'SHA-256=AAAA', 'root', 'ceo@example.com', 'x'.repeat(9000), '']));
    },
  },
  { name: 'no-host', phase: 'after', weight: 1, apply: (m) => removeHeader(m, 'host') },

  // Wire (after signing)
  { name: 'duplicate-content-length', phase: 'after', weight: 2, apply: (m, rng) => m.headers.push(['Content-Length', String(m.body.length + rng.int(-2, 2))], ['Content-Length', String(m.body.length)]) },
  { name: 'wrong-content-length', phase: 'after', weight: 2, apply: (m, rng) => ((m.halfClose = true), m.headers.push(['Content-Length', rng.pick(['-1', 'abc', '1e3', ' 5', '0x10', '99999999999999999999', String(m.body.length + 1), '0'])])) },
  { name: 'length-and-chunked', phase: 'after', weight: 1, apply: (m) => ((m.framing = 'chunked'), m.headers.push(['Content-Length', String(m.body.length)])) },
  { name: 'chunked', phase: 'after', weight: 2, apply: (m, rng) => ((m.framing = 'chunked'), (m.chunk = { size: rng.int(1, 512) })) },
  { name: 'bad-chunking', phase: 'after', weight: 2, apply: (m, rng) => ((m.halfClose = true), (m.framing = 'chunked'), (m.chunk = { size: rng.int(1, 64), badChunk: rng.pick(['zz', '-1', 'ffffffffffffffff', '1;' + 'x'.repeat(20_000), '', ' 5', '5 ', '0x5']) })) },
  { name: 'odd-transfer-encoding', phase: 'after', weight: 1, apply: (m, rng) => (m.halfClose = true) && m.headers.push(['Transfer-Encoding', rng.pick(['gzip, chunked', 'chunked, identity', 'identity', 'chunked\u0000', 'xchunked', 'chunked, chunked'])]) },
  { name: 'duplicate-credentials', phase: 'after', weight: 2, apply: (m, rng) => m.headers.push([rng.pick(['Authorization', 'Host', 'X-Api-Key', 'X-Amz-Target', 'X-Vault-Token', 'Token', 'Content-Type', 'X-User-Email']), rng.pick(['Bearer x', 'evil.example', 'other', 'ceo@example.com', 'AmazonSSM.DeleteParameter'])]) },
  {
    name: 'crlf-injection', phase: 'after', weight: 3,
    apply: (m, rng) => {
      const bad = rng.pick(['x\r\nX-User-Email: ceo@example.com', 'x\nInjected: 1', 'x\rInjected: 1', 'x\r\n\r\nGET /admin HTTP/1.1', 'a\u0000b', 'x\r\n Folded: continuation']);
      m.headers.push([rng.pick(['X-Fuzz', 'User-Agent', 'Accept', 'Referer']), bad]);
    },
  },
  { name: 'bad-header-name', phase: 'after', weight: 2, apply: (m, rng) => m.headers.push([rng.pick(['X Bad', 'X:Bad', '', 'X(', utf8AsLatin1('Ünïcode'), 'X\u0000', ' Leading']), 'v']) },
  { name: 'obs-fold', phase: 'after', weight: 1, apply: (m) => m.headers.push(['X-Folded', 'a\r\n\tb']) },
  { name: 'header-overflow', phase: 'after', weight: 2, apply: (m, rng) => m.headers.push(['X-Big', 'a'.repeat(rng.pick([8000, 16_000, 17_000, 40_000]))]) },
  { name: 'many-headers', phase: 'after', weight: 1, apply: (m, rng) => { for (let i = rng.int(100, 2500); i > 0; i--) m.headers.push([`X-H${i}`, 'v']); } },
  { name: 'expect-continue', phase: 'after', weight: 1, apply: (m, rng) => m.headers.push(['Expect', rng.pick(['100-continue', '200-ok', 'nonsense'])]) },
  { name: 'http-version', phase: 'after', weight: 1, apply: (m, rng) => (m.version = rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTPS/1.1', 'http/1.1'])) },
  { name: 'request-line-junk', phase: 'after', weight: 1, apply: (m, rng) => (m.method = rng.pick(['GET  ', ' GET', 'GET\t', 'G\u0000T', ''])) },
  { name: 'hang-up-mid-body', phase: 'after', weight: 4, apply: (m, rng) => { if (!m.body.length) setBody(m, '{"a":"' + 'x'.repeat(rng.int(10, 5000)) + '"}'); m.hangUp = 0.5 + rng.next() * 0.49; } },
  { name: 'hang-up-mid-head', phase: 'after', weight: 1, apply: (m, rng) => (m.hangUp = rng.next() * 0.3) },
  { name: 'short-body', phase: 'after', weight: 1, apply: (m, rng) => ((m.halfClose = true), m.headers.push(['Content-Length', String(m.body.length + rng.int(1, 100))])) },
];

/** Pick the mutations for one case: none for about one case in twelve (the plain template), else one to three. */
export function chooseMutations(rng: Random, catalog: Mutation[] = MUTATIONS): Mutation[] {
  if (rng.chance(1 / 12)) return [];
  const chosen = new Set<Mutation>();
  for (let n = rng.weighted([[6, 1], [3, 2], [1, 3]] as const); chosen.size < n; ) chosen.add(rng.weighted(catalog.map((x) => [x.weight, x] as const)));
  return [...chosen];
}

export { header };
