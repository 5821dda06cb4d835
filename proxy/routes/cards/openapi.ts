/**
 * The cards API's OpenAPI 3.1 document (contracts/openapi/cards.json, imported so a Lambda bundle carries it),
 * served at GET /openapi.json, and a response checker over it: pick the operation by method + path template and
 * the response schema by status, then validate with ajv's draft 2020-12 class (OpenAPI 3.1's dialect).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import spec from '../../../contracts/openapi/cards.json' with { type: 'json' };
import type { Handler } from '../../core/types.ts';

export const cardsOpenApi = spec as unknown as OpenApiDocument;

export const serveOpenApi: Handler = async () => ({ status: 200, body: cardsOpenApi });

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
}

export interface ResponseCheck {
  ok: boolean;
  /** What did not match (empty when ok). */
  errors: string[];
}

/** `(method, path, status, body) → ResponseCheck` for one OpenAPI 3.1 document. */
export function responseValidator(doc: OpenApiDocument = cardsOpenApi): (method: string, path: string, status: number, body: unknown) => ResponseCheck {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const id = 'openapi:document';
  ajv.addSchema(doc as object, id);
  const templates = Object.keys(doc.paths).map((t) => ({ t, re: new RegExp('^' + t.replace(/\{[^/}]+\}/g, '[^/]+') + '$') }));
  const compiled = new Map<string, ValidateFunction>();
  const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

  return (method, path, status, body) => {
    const template = templates.find((x) => x.re.test(path.split('?')[0]))?.t;
    const op = template ? doc.paths[template][method.toLowerCase()] : undefined;
    if (!template || !op) return { ok: false, errors: [`no operation for ${method} ${path}`] };
    const key = op.responses[String(status)] ? String(status) : op.responses[`${String(status)[0]}XX`] ? `${String(status)[0]}XX` : 'default';
    const media = op.responses[key]?.content?.['application/json'];
    if (!media) return { ok: false, errors: [`${method} ${template} documents no JSON response for ${status}`] };
    const ref = `${id}#/${pointer('paths', template, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')}`;
    let fn = compiled.get(ref);
    if (!fn) {
      fn = ajv.compile({ $ref: ref });
      compiled.set(ref, fn);
    }
    return fn(body) ? { ok: true, errors: [] } : { ok: false, errors: (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`) };
  };
}
