/**
 * Wildcards and policy variables as the IAM policy language uses them (reference_policies_elements_resource.html,
 * reference_policies_variables.html): `*` any run, `?` one character; `${key}` the request's value of a
 * single-valued key (no value: nothing matches), `${*}`, `${?}` and `${$}` those characters literally.
 */
import { S3Error } from '../errors.ts';

export interface Matcher {
  source: string;
  test(s: string): boolean;
}

export const malformedPolicy = (message: string) => new S3Error('MalformedPolicy', 400, message);

/** The request's value of a lower-cased condition key: one string, several (tag keys), or none. */
export interface RequestValues {
  get(key: string): string | string[] | undefined;
}

const LITERAL = /[.*+?^${}()|[\]\\]/g;
const literal = (s: string) => s.replace(LITERAL, '\\$&');

export function glob(pattern: string): Matcher {
  if (!pattern.includes('*') && !pattern.includes('?')) return { source: pattern, test: (s) => s === pattern };
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return { source: pattern, test: (s) => re.test(s) };
}

/** Walk a pattern's parts: variables resolved, wildcards kept (`wild`) or taken literally. */
function expand(pattern: string, values: RequestValues, wild: boolean): string | undefined {
  let out = '';
  let missing = false;
  pattern.replace(/\$\{([^}]*)\}|([*?])|([^$*?]+|\$)/g, (_m, name: string | undefined, w: string | undefined, text: string | undefined) => {
    if (name !== undefined) {
      if (name === '*' || name === '?' || name === '$') out += wild ? literal(name) : name;
      else {
        // A default after a comma (`${aws:username, 'x'}`) is not used: a missing key matches nothing.
        const v = values.get(name.split(',')[0].trim().toLowerCase());
        if (typeof v === 'string') out += wild ? literal(v) : v;
        else missing = true;
      }
    } else if (w) out += wild ? (w === '*' ? '.*' : '.') : w;
    else out += wild ? literal(text as string) : (text as string);
    return '';
  });
  return missing ? undefined : out;
}

/** A wildcard pattern with its variables resolved for one request; undefined when a variable has no value. */
export function expandVariables(pattern: string, values: RequestValues): Matcher | undefined {
  const re = expand(pattern, values, true);
  if (re === undefined) return undefined;
  const compiled = new RegExp(`^${re}$`, 's');
  return { source: pattern, test: (s) => compiled.test(s) };
}

/** A literal value with its variables resolved (StringEquals and the like take no wildcards). */
export function substituteVariables(value: string, values: RequestValues): string | undefined {
  return expand(value, values, false);
}
