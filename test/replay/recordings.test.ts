/**
 * The QA captures in fixtures/recordings/ (one per seed system, made with `npm run record -- --scenario …`) replay
 * green against a fresh stack through the real CLI path: hosts rewritten, JWTs and API tokens re-minted, diff on.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../emulators/stack/index.ts';
import { runReplayCli } from '../../scripts/lib/replay/cli.ts';
import { testStack } from '../helpers/stack.ts';

const DIR = new URL('../../fixtures/recordings/', import.meta.url).pathname;

describe('recorded QA captures replay green against the stack', function () {
  this.timeout(30_000);
  let stack: Stack;
  before(async () => { stack = await testStack(); });
  after(() => stack?.close());

  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.har')).sort()) {
    it(`replays ${file} with no difference`, async () => {
      let out = '';
      const { code, results } = await runReplayCli([join(DIR, file), '--target', stack.urls.gateway, '--state-dir', stack.stateDir, '--aws', stack.urls.aws, '--concurrency', '4'], { out: (s) => (out += s), err: (s) => (out += s), tty: false });
      expect(results.length, out).to.be.greaterThan(0);
      expect(code, out).to.equal(0);
    });
  }
});
