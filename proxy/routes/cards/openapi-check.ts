/**
 * A response checker for an OpenAPI 3.1 document (default: the cards API's): pick the operation by method + path
 * template and the response schema by status, then validate with ajv's draft 2020-12 class (3.1's dialect). Used
 * by tests and contract checks; the function itself never loads it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { cardsOpenApi, type OpenApiDocument } from './openapi.ts';

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
