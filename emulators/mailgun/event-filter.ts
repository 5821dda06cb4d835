/**
 * Filter expressions of the Events API (documentation.mailgun.com "Events", Filter Expression): terms joined by
 * juxtaposition or AND, OR, NOT, "quoted phrases", parentheses, and >n / <n ranges on numeric fields. A term
 * matches a text field that contains it (case-insensitive); `event` and `severity` match whole values, `tags` and
 * `attachment` any one of the event's tags or attachment names.
 */
import { badRequest } from './errors.ts';

type Expr =
  | { op: 'and' | 'or'; left: Expr; right: Expr }
  | { op: 'not'; expr: Expr }
  | { op: 'term'; text: string }
  | { op: 'cmp'; gt: boolean; value: number };

export type FieldValue = string | number | string[] | undefined;

/** The filterable fields (Filter Field table); `list` is accepted but the fake has no mailing lists. */
export const FILTER_FIELDS = ['event', 'list', 'attachment', 'from', 'message-id', 'subject', 'to', 'size', 'recipient', 'recipients', 'tags', 'severity'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

const EXACT: ReadonlySet<FilterField> = new Set(['event', 'severity']);
const MAX_LENGTH = 1024;

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\(|\)|"[^"]*"|[<>]\s*-?\d+(?:\.\d+)?|[^\s()"]+)/gy;
  let at = 0;
  for (let m = re.exec(src); m !== null; m = re.exec(src)) {
    tokens.push(m[1]);
    at = re.lastIndex;
  }
  // A failed sticky match resets lastIndex, so the end of the last token is tracked apart.
  if (src.slice(at).trim()) throw new Error('unbalanced quote');
  return tokens;
}

function parse(tokens: string[]): Expr {
  let i = 0;
  const peek = () => tokens[i];
  const or = (): Expr => {
    let left = and();
    while (peek() === 'OR') {
      i++;
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Expr => {
    let left = unary();
    while (peek() !== undefined && peek() !== ')' && peek() !== 'OR') {
      if (peek() === 'AND') i++;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Expr => {
    if (peek() === 'NOT') {
      i++;
      return { op: 'not', expr: unary() };
    }
    const t = tokens[i++];
    if (t === undefined || t === ')' || t === 'AND' || t === 'OR') throw new Error('expression expected');
    if (t === '(') {
      const e = or();
      if (tokens[i++] !== ')') throw new Error('missing )');
      return e;
    }
    if (/^[<>]/.test(t)) {
      const value = Number(t.slice(1).trim());
      if (!Number.isFinite(value)) throw new Error(`a range needs a number: ${t}`);
      return { op: 'cmp', gt: t[0] === '>', value };
    }
    return { op: 'term', text: (t.startsWith('"') ? t.slice(1, -1) : t).toLowerCase() };
  };
  const e = or();
  if (i !== tokens.length) throw new Error('unexpected )');
  return e;
}

/** Compile one field's expression; a malformed one is Mailgun's 400. */
export function compileFilter(field: FilterField, src: string): (value: FieldValue) => boolean {
  let expr: Expr;
  try {
    if (src.length > MAX_LENGTH) throw new Error('too long');
    expr = parse(tokenize(src));
  } catch (e) {
    throw badRequest(`'${field}' parameter is not a valid filter expression: ${(e as Error).message}`);
  }
  const exact = EXACT.has(field);
  const test = (e: Expr, v: FieldValue): boolean => {
    switch (e.op) {
      case 'and':
        return test(e.left, v) && test(e.right, v);
      case 'or':
        return test(e.left, v) || test(e.right, v);
      case 'not':
        return !test(e.expr, v);
      case 'cmp':
        return typeof v === 'number' && (e.gt ? v > e.value : v < e.value);
      case 'term': {
        if (v === undefined) return false;
        if (typeof v === 'number') return v === Number(e.text);
        const values = Array.isArray(v) ? v : [v];
        const text = e.text.replace(/^<|>$/g, '');
        return values.some((x) => {
          const s = x.toLowerCase();
          if (exact || (Array.isArray(v) && field !== 'attachment')) return s === text;
          // An address term names an address, not a substring of one ("al@x.io" must not match "val@x.io").
          if (text.includes('@')) return (s.match(/[^\s<>",;]+@[^\s<>",;]+/g) ?? ([] as string[])).includes(text);
          return s.includes(text);
        });
      }
    }
  };
  return (value) => test(expr, value);
}
