/**
 * Bucket CORS rules and their evaluation, as S3 applies them: the first rule whose origin, method and every
 * requested header match wins. Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * ("How does Amazon S3 evaluate the CORS configuration") and RESTOPTIONSobject.html.
 */
export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

/** S3 accepts at most one '*' in an AllowedOrigin or AllowedHeader (PutBucketCors docs). */
function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

/** Reasons a configuration is rejected, in S3's words; empty when valid. */
export function validateCorsRules(rules: CorsRule[]): string | undefined {
  if (rules.length === 0 || rules.length > 100) return 'The XML you provided was not well-formed or did not validate against our published schema';
  for (const r of rules) {
    if (!r.allowedOrigins.length || !r.allowedMethods.length) return 'The XML you provided was not well-formed or did not validate against our published schema';
    const bad = r.allowedMethods.find((m) => !METHODS.has(m));
    if (bad) return `Found unsupported HTTP method in CORS config. Unsupported method is ${bad}`;
    if (r.allowedOrigins.some((o) => o.split('*').length > 2)) return `AllowedOrigin can not have more than one wildcard: ${r.allowedOrigins.find((o) => o.split('*').length > 2)}`;
  }
  return undefined;
}

export interface CorsRequest {
  origin: string;
  method: string;
  /** Lower-cased names from Access-Control-Request-Headers (preflight only). */
  requestHeaders: string[];
}

export function findCorsRule(rules: CorsRule[] | undefined, req: CorsRequest): CorsRule | undefined {
  return rules?.find((r) =>
    r.allowedOrigins.some((o) => wildcardMatch(o, req.origin, false)) &&
    r.allowedMethods.includes(req.method) &&
    req.requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, true))));
}

/** The Access-Control-* headers for a matched rule. */
export function corsHeaders(rule: CorsRule, req: CorsRequest, preflight: boolean): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const h: Record<string, string> = {
    // S3 answers "*" for a wildcard-only rule and echoes the origin (with credentials allowed) otherwise.
    'access-control-allow-origin': anyOrigin ? '*' : req.origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) h['access-control-allow-credentials'] = 'true';
  if (preflight && req.requestHeaders.length) h['access-control-allow-headers'] = req.requestHeaders.join(', ');
  if (rule.exposeHeaders.length) h['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) h['access-control-max-age'] = String(rule.maxAgeSeconds);
  return h;
}
