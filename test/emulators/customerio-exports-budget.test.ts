/**
 * The fake Customer.io keeps export files within a budget, newest first (found by npm run fuzz: deliveries exports
 * of 11 MB each, kept without end, stopped the fake at its heap limit).
 */
import { expect } from 'chai';
import { ExportStore, FILE_BUDGET_CHARS } from '../../emulators/customerio/exports.ts';

describe('Customer.io exports: files kept within a budget', () => {
  const MiB = 1024 * 1024;
  const rows = (n: number) => Array.from({ length: n }, (_, i) => [`${i}`.padEnd(MiB - 3, 'x')]);

  it('keeps the newest files within the budget; an older export stays listed and its download is a 404 naming why', () => {
    const store = new ExportStore(() => 1_700_000_000);
    const count = FILE_BUDGET_CHARS / MiB + 8;
    for (let i = 0; i < count; i++) store.create('deliveries', `export ${i}`, ['row'], rows(1));
    expect(store.list()).to.have.length(count);
    const kept = store.list().filter((e) => e.csv !== undefined);
    expect(kept.reduce((n, e) => n + e.csv!.length, 0)).to.be.at.most(FILE_BUDGET_CHARS);
    expect(kept.at(-1)!.id).to.equal(count);
    expect(() => store.link(1)).to.throw(/export 1's file is no longer kept/).with.property('status', 404);
    const { token } = store.link(count);
    expect(store.file(token)!.csv).to.match(/^row\r\n/);
  });

  it('keeps the newest file even when it alone is over the budget', () => {
    const store = new ExportStore(() => 1_700_000_000);
    store.create('customers', 'small', ['row'], rows(1));
    store.create('customers', 'huge', ['row'], rows(FILE_BUDGET_CHARS / MiB + 1));
    expect(store.get(2).csv).to.be.a('string');
    expect(store.get(1).csv).to.equal(undefined);
  });
});
