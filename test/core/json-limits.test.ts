import { expect } from 'chai';
import { jsonDepth, parseJsonWithin, parseJsonObjectWithin } from '../../proxy/core/json-limits.ts';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('JSON limits (one guard for every server that parses JSON)', () => {
  it('measures nesting of arrays and objects, scalars being depth 0', () => {
    expect(jsonDepth(bytes('1'))).to.equal(0);
    expect(jsonDepth(bytes('"x"'))).to.equal(0);
    expect(jsonDepth(bytes('{}'))).to.equal(1);
    expect(jsonDepth(bytes('{"a":[1,{"b":[]}]}'))).to.equal(4);
    expect(jsonDepth(bytes(nested(500)))).to.equal(500);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepth(bytes('{"a":"[[[{{{"}'))).to.equal(1);
    expect(jsonDepth(bytes('["\\"[[[", "\\\\", [1]]'))).to.equal(2);
    expect(jsonDepth(bytes('["\\u005b\\u005b"]'))).to.equal(1);
  });

  it('is exact over multi-byte UTF-8 (no byte of a multi-byte character is a bracket)', () => {
    expect(jsonDepth(bytes('{"ключ":["😀[",{"ü":"ß"}]}'))).to.equal(3);
  });

  it('stops scanning once the limit is passed', () => {
    expect(jsonDepth(bytes(nested(100_000)), 64)).to.equal(65);
  });

  it('parses a body within limits', () => {
    expect(parseJsonWithin('{"a":[1,2]}', { maxBytes: 100, maxDepth: 2 })).to.deep.equal({ ok: true, value: { a: [1, 2] } });
  });

  it('refuses a body nested deeper than the limit, naming the limit, without parsing it', () => {
    const v = parseJsonWithin(nested(100_000, '{"a":', '}').replace(/:}/, ':1}'), { maxBytes: 10_000_000, maxDepth: 64 });
    expect(v).to.deep.equal({ ok: false, problem: 'too_deep', message: 'JSON nesting is deeper than 64 levels (the limit)' });
  });

  it('accepts exactly the limit', () => {
    expect(parseJsonWithin(nested(64), { maxBytes: 1000, maxDepth: 64 }).ok).to.equal(true);
    expect(parseJsonWithin(nested(65), { maxBytes: 1000, maxDepth: 64 }).ok).to.equal(false);
  });

  it('refuses a body over the size limit, naming both sizes', () => {
    expect(parseJsonWithin('"' + 'x'.repeat(200) + '"', { maxBytes: 100, maxDepth: 8 })).to.deep.equal({
      ok: false, problem: 'too_large', message: 'JSON body is 202 bytes; the limit is 100',
    });
  });

  it('reports invalid JSON (truncated, NUL, empty) as invalid, never throwing', () => {
    for (const s of ['{"a":', '\u0000', '', '{"a":1}}', "{'a':1}"]) {
      const v = parseJsonWithin(s);
      expect(v.ok, s).to.equal(false);
      if (!v.ok) expect(v.problem).to.equal('invalid');
    }
  });

  it('requires an object where asked, naming what came instead', () => {
    expect(parseJsonObjectWithin('null')).to.deep.include({ ok: false, message: 'body must be a JSON object, not null' });
    expect(parseJsonObjectWithin('[]')).to.deep.include({ ok: false, message: 'body must be a JSON object, not an array' });
    expect(parseJsonObjectWithin('7')).to.deep.include({ ok: false, message: 'body must be a JSON object, not a number' });
    expect(parseJsonObjectWithin('{"a":1}')).to.deep.equal({ ok: true, value: { a: 1 } });
  });
});
