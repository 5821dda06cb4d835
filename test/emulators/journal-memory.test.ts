/**
 * The journal keeps the first 64 KiB of each body in a string of its own. A plain `slice` of a long body is a view
 * that keeps the whole body alive (V8's sliced strings): under `npm run fuzz`, 10 MB bodies held that way took the
 * fake Customer.io to its heap limit (SIGABRT).
 */
import { expect } from 'chai';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Journal, JOURNAL_BODY_CHARS } from '../../emulators/shared/journal.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapAfterGc = () => { gc(); gc(); return process.memoryUsage().heapUsed; };

describe('journal memory (found by npm run fuzz: a fake stopped at its heap limit)', () => {
  for (const [what, body] of [
    ['a decoded Buffer', (i: number) => Buffer.alloc(2 * 1024 * 1024, 97 + (i % 20))],
    ['a string', (i: number) => `${'y'.repeat(2 * 1024 * 1024)}${i}`],
  ] as const) {
    it(`holds 100 entries of 2 MiB bodies (${what}) in about 100 × 64 KiB, not 200 MiB`, () => {
      const journal = new Journal(100);
      const before = heapAfterGc();
      for (let i = 0; i < 100; i++) journal.record({ method: 'POST', path: '/x', query: '', headers: {}, body: body(i) });
      const grown = heapAfterGc() - before;
      expect(journal.list()).to.have.length(100);
      expect(journal.list()[0].body).to.have.length(JOURNAL_BODY_CHARS);
      expect(grown, `${(grown / 1048576).toFixed(1)} MiB retained`).to.be.below(40 * 1024 * 1024);
    });
  }
});
