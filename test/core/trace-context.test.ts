/**
 * W3C Trace Context Level 1 parsing, case by case as the recommendation states them (§3.2 traceparent, §3.3
 * tracestate) and as its test suite (w3c/trace-context test/test.py) sends them.
 */
import { expect } from 'chai';
import { continueTrace, formatTraceparent, newSpanId, newTraceId, outboundTraceHeaders, parseTraceparent, parseTracestate } from '../../proxy/core/trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

describe('traceparent parsing (W3C Trace Context §3.2)', () => {
  it('reads version 00: trace id, parent id and flags', () => {
    expect(parseTraceparent(VALID)).to.deep.equal({ traceId: TRACE, parentId: PARENT, flags: '01' });
    expect(parseTraceparent(`  ${VALID}\t`), 'optional whitespace around the value').to.deep.equal({ traceId: TRACE, parentId: PARENT, flags: '01' });
  });

  const invalid: [string, string][] = [
    ['uppercase hex in the trace id', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['uppercase hex in the parent id', `00-${TRACE}-00F067AA0BA902B7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['a non-hex version', `0x-${TRACE}-${PARENT}-01`],
    ['version 00 with a field appended', `${VALID}-extra`],
    ['version 00 one character short', VALID.slice(0, 54)],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a long parent id', `00-${TRACE}-${PARENT}0-01`],
    ['non-hex flags', `00-${TRACE}-${PARENT}-0g`],
    ['underscores for dashes', `00_${TRACE}_${PARENT}_01`],
    ['two headers joined by the HTTP layer', `${VALID}, 00-${TRACE}-b7ad6b7169203331-01`],
    ['an empty value', ''],
  ];
  for (const [what, value] of invalid) it(`refuses ${what}`, () => expect(parseTraceparent(value)).to.equal(undefined));

  it('reads a higher version by its version-00 prefix when what follows starts with a dash', () => {
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-01-what-the-future-will-be-like`)).to.deep.equal({ traceId: TRACE, parentId: PARENT, flags: '01' });
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-01`)).to.deep.equal({ traceId: TRACE, parentId: PARENT, flags: '01' });
    expect(parseTraceparent(`cc-${TRACE}-${PARENT}-01.what-the-future-will-not-be-like`)).to.equal(undefined);
  });
});

describe('tracestate parsing (W3C Trace Context §3.3)', () => {
  it('passes a valid list on as received, empty members dropped', () => {
    expect(parseTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).to.equal('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(parseTracestate('rojo=1, ,congo=2 ')).to.equal('rojo=1,congo=2');
    expect(parseTracestate('fw529a3039@dt=1,tenant_1@sys-2=x')).to.equal('fw529a3039@dt=1,tenant_1@sys-2=x');
  });

  const invalid: [string, string][] = [
    ['a key with an uppercase letter', 'Rojo=1'],
    ['a key starting with a digit (not multi-tenant)', '1rojo=1'],
    ['a member without "="', 'rojo'],
    ['a value with "="', 'rojo=a=b'],
    ['a control character in a value', 'rojo=a\u0001b'],
    ['a key longer than 256 characters', `${'k'.repeat(257)}=v`],
    ['a duplicate key', 'rojo=1,rojo=2'],
    ['more than 32 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['nothing but commas', ' , ,'],
  ];
  for (const [what, value] of invalid) it(`drops a list with ${what}`, () => expect(parseTracestate(value)).to.equal(undefined));

  it('keeps exactly 32 members', () => {
    expect(parseTracestate(Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','))).to.be.a('string');
  });
});

describe('continuing a trace at a hop', () => {
  it('continues a valid traceparent with a span of its own and passes tracestate on', () => {
    const t = continueTrace({ traceparent: VALID, tracestate: 'rojo=1' });
    expect(t).to.include({ traceId: TRACE, parentId: PARENT, flags: '01', state: 'rojo=1', origin: 'continued' });
    expect(t.spanId).to.match(/^[0-9a-f]{16}$/).and.not.equal(PARENT);
  });

  it('starts a sampled trace when none came, with fresh valid ids', () => {
    const t = continueTrace({});
    expect(t.origin).to.equal('started');
    expect(parseTraceparent(formatTraceparent(t.traceId, t.spanId, t.flags))).to.deep.equal({ traceId: t.traceId, parentId: t.spanId, flags: '01' });
    expect(continueTrace({}).traceId).to.not.equal(t.traceId);
  });

  it('replaces an invalid traceparent by a new trace and drops its tracestate', () => {
    const t = continueTrace({ traceparent: `00-${TRACE.toUpperCase()}-${PARENT}-01`, tracestate: 'rojo=1' });
    expect(t.origin).to.equal('replaced');
    expect(t.traceId).to.not.equal(TRACE.toUpperCase()).and.not.equal(TRACE);
    expect(t.state).to.equal(undefined);
    expect(t.parentId).to.equal(undefined);
  });

  it('keeps only the sampled bit of the flags it received', () => {
    expect(continueTrace({ traceparent: `00-${TRACE}-${PARENT}-00` }).flags).to.equal('00');
    expect(continueTrace({ traceparent: `cc-${TRACE}-${PARENT}-ff-future` }).flags).to.equal('01');
  });

  it('gives each outbound call a span of its own under the hop\'s trace, in version 00', () => {
    const t = continueTrace({ traceparent: VALID, tracestate: 'rojo=1' });
    const a = outboundTraceHeaders(t);
    const b = outboundTraceHeaders(t);
    expect(a.traceparent).to.equal(`00-${TRACE}-${a.spanId}-01`);
    expect(a.spanId).to.not.equal(b.spanId);
    expect(a.tracestate).to.equal('rojo=1');
    expect(outboundTraceHeaders(continueTrace({})).tracestate).to.equal(undefined);
  });

  it('mints ids of the right width, never all zeros, never repeated', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newSpanId();
      expect(id).to.match(/^[0-9a-f]{16}$/).and.not.match(/^0+$/);
      seen.add(id);
    }
    expect(seen.size).to.equal(2000);
    expect(newTraceId()).to.match(/^[0-9a-f]{32}$/);
  });
});
