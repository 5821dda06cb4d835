/**
 * Secret scanning of the repository, in `npm test` (so in CI): secretlint with its recommended preset
 * (.secretlintrc.json) over every file git tracks or would track (`git ls-files --cached --others
 * --exclude-standard`: .state/, node_modules/ and other ignored paths are left out, as they are never committed).
 * `npm run lint:secrets` runs the same scan by hand. One allowance, as narrow as it can be: the connection string
 * of the local scratch Postgres (user and password `gatehouse` on 127.0.0.1 or the compose service `postgres`, in
 * .ci/run, docker-compose.yml and the packages test harness), which the README documents and which guards nothing.
 * Nothing else needs one: the fakes' seeded values (`local-fake-track-api-key`, …) match no provider's key format,
 * and no private key is committed — keys are generated into .state/ at first start.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

interface Finding { file: string; line: number; rule: string; message: string }

/**
 * secretlint's findings for these files, or for `stdin` as a file of that name. The report goes to a file: the CLI
 * exits before a large piped stdout is flushed. Exit status 1 means "found something", not a failure.
 */
function secretlint(files: string[], stdin?: { name: string; content: string }): Finding[] {
  const report = join(mkdtempSync(join(tmpdir(), 'gatehouse-secretlint-')), 'report.json');
  const args = ['--format', 'json', '--output', report, '--secretlintrc', '.secretlintrc.json', '--no-glob', ...(stdin ? ['--stdinFileName', stdin.name] : files)];
  const res = spawnSync(join('node_modules', '.bin', 'secretlint'), args, { encoding: 'utf8', input: stdin?.content });
  if (res.status !== 0 && res.status !== 1) throw new Error(`secretlint failed (${res.status}): ${res.stderr}`);
  const results = JSON.parse(readFileSync(report, 'utf8')) as { filePath: string; messages: { ruleId: string; message: string; loc: { start: { line: number } } }[] }[];
  return results.flatMap((r) => r.messages.map((m) => ({ file: r.filePath, line: m.loc.start.line, rule: m.ruleId, message: m.message })));
}

describe('secret scanning (secretlint, recommended preset)', function () {
  this.timeout(120_000);

  it('finds no secret in any file of the repository', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).to.be.greaterThan(300);
    expect(secretlint(files).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`)).to.deep.equal([]);
  });

  it('is not blind: a private key and an AWS key pair in a file are found', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // Built at run time, so this file itself holds no key for the scan above to find.
    const accessKeyId = ['AKIA', randomBytes(8).toString('hex').toUpperCase()].join('');
    const secretKey = randomBytes(30).toString('base64').slice(0, 40);
    const database = ['postgres://gatehouse', `${randomBytes(9).toString('base64url')}@db.example.com:5432/gatehouse`].join(':');
    const rules = secretlint([], { name: 'leaked.env', content: `AWS_ACCESS_KEY_ID=${accessKeyId}\nAWS_SECRET_ACCESS_KEY=${secretKey}\nKEY="${pem}"\nDATABASE_URL=${database}\n` }).map((f) => f.rule);
    expect(rules).to.include('@secretlint/secretlint-rule-privatekey');
    expect(rules).to.include('@secretlint/secretlint-rule-aws');
    // The one allowance (the local scratch Postgres's gatehouse:gatehouse) does not cover another password or host.
    expect(rules).to.include('@secretlint/secretlint-rule-database-connection-string');
  });
});
