/**
 * The README's Vault table ("What the fakes serve") against the fake: every path the fake serves falls under a row
 * marked served, and every family marked not served is refused (never a success) by a running fake.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { MOUNTED, samplePath } from '../helpers/vault-paths.ts';

interface Row {
  globs: string[];
  status: string;
}

function vaultRows(): Row[] {
  const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Vault'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| paths |')));
  return table.split('\n').filter((l) => l.startsWith('| `')).map((line) => {
    const [paths, status] = line.split('|').slice(1, 3);
    return { globs: [...paths.matchAll(/`([^`]+)`/g)].map((m) => m[1]), status: status.trim() };
  });
}

/** A glob from the table: `*` matches the rest of the path (`sys/mounts/*` also covers `sys/mounts/x/tune`). */
const covers = (glob: string, path: string): boolean => (glob.endsWith('*') ? path.startsWith(glob.slice(0, -1)) : path === glob || path === `${glob}/`);

describe('README: what the fake Vault serves', () => {
  let vault: VaultServer;
  const rows = vaultRows();
  before(async () => (vault = await startVault({ port: 0 })));
  after(() => vault.close());

  it('has rows, each served, served with limits or not served', () => {
    expect(rows.length).to.be.greaterThan(15);
    for (const r of rows) expect(['served', 'served with limits', 'not served'], r.globs.join(' ')).to.include(r.status);
  });

  it('lists every path the fake serves under a served row', () => {
    const missing: string[] = [];
    for (const [mount, backend] of MOUNTED) {
      for (const def of backend.paths) {
        const path = mount + samplePath(def);
        const row = rows.find((r) => r.globs.some((g) => covers(g, path)));
        if (!row || row.status === 'not served') missing.push(path);
      }
    }
    expect(missing, 'paths served by the fake but not in the README as served').to.deep.equal([]);
  });

  it('refuses every family it marks not served, with the root token too', async () => {
    for (const r of rows.filter((x) => x.status === 'not served')) {
      for (const glob of r.globs) {
        const path = glob.replace(/\*$/, 'x');
        const res = await fetch(`${vault.url}/v1/${path}`, { headers: { 'x-vault-token': 'root' } });
        const body = (await res.json()) as { errors?: string[] };
        expect(res.status, path).to.be.oneOf([400, 403, 404, 405]);
        expect(body.errors, path).to.be.an('array');
      }
    }
  });
});
