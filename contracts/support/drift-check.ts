/** The "contract change is a reviewed diff" check, as a mocha test body. */
import { expect } from 'chai';
import { relative } from 'node:path';
import { acceptPacts, comparePacts } from './pact-files.ts';

export function checkCommittedPacts(generatedDir: string, committedDir: string): void {
  const drift = comparePacts(generatedDir, committedDir);
  if (drift.length > 0 && process.env.UPDATE_PACTS === '1') {
    acceptPacts(generatedDir, committedDir, drift);
    return;
  }
  const where = relative(process.cwd(), committedDir) || committedDir;
  const lines = drift.map((d) => `  ${d.kind}: ${where}/${d.file}${d.interactions.length ? `\n    ${d.interactions.join('\n    ')}` : ''}`);
  expect(drift, [
    'The regenerated pacts differ from the committed ones:',
    ...lines,
    'If the contract change is intended, accept it with `UPDATE_PACTS=1 npm test` (or `UPDATE_PACTS=1 npx mocha test/contracts/contracts.test.ts`)',
    `and commit ${where}/ so the change is reviewed.`,
  ].join('\n')).to.deep.equal([]);
}
