/**
 * A parser for the subset of HCL 1 (github.com/hashicorp/hcl, the version Vault parses policies with) that policies
 * use: `key = value` attributes and `key "label" { … }` blocks, strings with escapes, heredocs (`<<EOF` and the
 * indented `<<-EOF`), numbers, booleans, lists and nested objects, and `#`, `//` and `/* *\/` comments.
 * The result keeps every item in order with its line, as HCL's ast.ObjectList does, so the policy layer can repeat
 * Vault's checks (`invalid key "x" on line N`). Errors read like HCL's: "At 3:7: <what was wrong>".
 */

export type HclValue = string | number | boolean | HclValue[] | HclItem[];

export interface HclItem {
  /** The key followed by any labels: `path "secret/*" { }` has keys ["path", "secret/*"]. */
  keys: string[];
  value: HclValue;
  line: number;
  /** True when the value is an object (a block or `= { }`). */
  isObject: boolean;
}

export class HclError extends Error {}

type TokKind = 'ident' | 'string' | 'number' | 'bool' | 'punct' | 'heredoc' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  value?: string | number | boolean;
  line: number;
  col: number;
}

/** Parse a whole document into its top-level items. */
export function parseHcl(src: string): HclItem[] {
  const p = new Parser(tokenize(src));
  const items = p.body('eof');
  return items;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (): { line: number; col: number } => ({ line, col: i - lineStart + 1 });
  const fail = (msg: string): never => {
    throw new HclError(`At ${line}:${i - lineStart + 1}: ${msg}`);
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('comment not terminated');
      for (let j = i; j < end; j++) if (src[j] === '\n') (line++, (lineStart = j + 1));
      i = end + 2;
      continue;
    }
    const pos = at();
    if ('{}[]=,'.includes(c)) {
      toks.push({ kind: 'punct', text: c, ...pos });
      i++;
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(src, i, fail);
      toks.push({ kind: 'string', text: src.slice(i, end), value, ...pos });
      i = end;
      continue;
    }
    if (c === '<' && src[i + 1] === '<') {
      const { value, end, lines } = readHeredoc(src, i, fail);
      toks.push({ kind: 'heredoc', text: '<<', value, ...pos });
      line += lines;
      lineStart = src.lastIndexOf('\n', end - 1) + 1;
      i = end;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i, i + 64));
    if (num && (c === '-' || /\d/.test(c))) {
      toks.push({ kind: 'number', text: num[0], value: Number(num[0]), ...pos });
      i += num[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_\-.:]*/.exec(src.slice(i, i + 256));
    if (ident) {
      const word = ident[0];
      toks.push(word === 'true' || word === 'false' ? { kind: 'bool', text: word, value: word === 'true', ...pos } : { kind: 'ident', text: word, value: word, ...pos });
      i += word.length;
      continue;
    }
    fail(`illegal char`);
  }
  toks.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return toks;
}

function readString(src: string, start: number, fail: (m: string) => never): { value: string; end: number } {
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\n') fail('literal not terminated');
    if (c === '\\') {
      const n = src[i + 1];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f' };
      if (n in simple) {
        out += simple[n];
        i += 2;
        continue;
      }
      if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        out += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      fail('unknown escape sequence');
    }
    out += c;
    i++;
  }
  return fail('literal not terminated');
}

/** `<<EOF` … `EOF`, or `<<-EOF` whose lines lose their common leading whitespace. */
function readHeredoc(src: string, start: number, fail: (m: string) => never): { value: string; end: number; lines: number } {
  const head = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(src.slice(start, start + 256));
  if (!head) return fail('heredoc expected marker name');
  const indent = head[1] === '-';
  const marker = head[2];
  const bodyStart = start + head[0].length;
  const rows: string[] = [];
  let i = bodyStart;
  let lines = 1;
  while (i <= src.length) {
    const nl = src.indexOf('\n', i);
    const rowEnd = nl < 0 ? src.length : nl;
    const row = src.slice(i, rowEnd).replace(/\r$/, '');
    if ((indent ? row.trim() : row) === marker) {
      let body = rows;
      if (indent) {
        const pad = Math.min(...rows.filter((r) => r.trim() !== '').map((r) => /^[ \t]*/.exec(r)![0].length));
        body = rows.map((r) => r.slice(Number.isFinite(pad) ? pad : 0));
      }
      return { value: body.map((r) => `${r}\n`).join(''), end: rowEnd, lines };
    }
    rows.push(row);
    if (nl < 0) break;
    i = nl + 1;
    lines++;
  }
  return fail(`heredoc not terminated`);
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.i];
  }

  private next(): Tok {
    return this.toks[this.i++];
  }

  private fail(t: Tok, expected: string): never {
    const got = t.kind === 'eof' ? 'EOF' : t.kind === 'punct' ? t.text : t.kind.toUpperCase();
    throw new HclError(`At ${t.line}:${t.col}: expected: ${expected} got: ${got}`);
  }

  /** Items until `end` ("}" or end of input); commas between items are allowed as in HCL 1. */
  body(end: '}' | 'eof'): HclItem[] {
    const items: HclItem[] = [];
    for (;;) {
      const t = this.peek();
      if (end === 'eof' ? t.kind === 'eof' : t.kind === 'punct' && t.text === '}') return items;
      if (t.kind === 'eof') this.fail(t, 'RBRACE');
      if (t.kind === 'punct' && t.text === ',') {
        this.next();
        continue;
      }
      items.push(this.item());
    }
  }

  private item(): HclItem {
    const first = this.next();
    if (first.kind !== 'ident' && first.kind !== 'string') this.fail(first, 'IDENT | STRING');
    const keys = [String(first.value)];
    while (this.peek().kind === 'string' || this.peek().kind === 'ident') keys.push(String(this.next().value));
    const t = this.next();
    if (t.kind === 'punct' && t.text === '=') {
      const value = this.value();
      return { keys, value: value.value, isObject: value.isObject, line: first.line };
    }
    if (t.kind === 'punct' && t.text === '{') {
      const inner = this.body('}');
      this.next();
      return { keys, value: inner, isObject: true, line: first.line };
    }
    return this.fail(t, keys.length > 1 ? 'LBRACE' : 'ASSIGN | LBRACE');
  }

  private value(): { value: HclValue; isObject: boolean } {
    const t = this.next();
    switch (t.kind) {
      case 'string':
      case 'heredoc':
      case 'number':
      case 'bool':
        return { value: t.value as HclValue, isObject: false };
      case 'punct':
        if (t.text === '[') return { value: this.list(), isObject: false };
        if (t.text === '{') {
          const inner = this.body('}');
          this.next();
          return { value: inner, isObject: true };
        }
        break;
      default:
        break;
    }
    return this.fail(t, 'STRING | NUMBER | BOOL | LBRACK | LBRACE');
  }

  private list(): HclValue[] {
    const out: HclValue[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.text === ']') {
        this.next();
        return out;
      }
      out.push(this.value().value);
      const sep = this.peek();
      if (sep.kind === 'punct' && sep.text === ',') this.next();
      else if (!(sep.kind === 'punct' && sep.text === ']')) this.fail(sep, 'COMMA | RBRACK');
    }
  }
}
