export function lowerHeaders(h: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
  return out;
}

export function decodeEventBody(body: string | null | undefined, base64?: boolean): Buffer {
  if (!body) return Buffer.alloc(0);
  return base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** Text responses go out as UTF-8 strings; anything else base64, which API Gateway decodes back to bytes. */
export function encodeResultBody(body: Buffer, contentType: string | undefined): { body: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { body: '', isBase64Encoded: false };
  if (!contentType || TEXTUAL.test(contentType)) return { body: body.toString('utf8'), isBase64Encoded: false };
  return { body: body.toString('base64'), isBase64Encoded: true };
}
