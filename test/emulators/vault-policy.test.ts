/** Vault policies as a model: the HCL (and JSON) parser with Vault's refusals, and ACL evaluation with its priority rules. */
import { expect } from 'chai';
import { parseHcl } from '../../emulators/vault/policy/hcl.ts';
import { parsePolicy } from '../../emulators/vault/policy/parse.ts';
import { Acl } from '../../emulators/vault/policy/acl.ts';
import { PolicyStore } from '../../emulators/vault/policy/store.ts';

const acl = (...texts: string[]) => new Acl(texts.map((t, i) => parsePolicy(`p${i}`, t)));
const rule = (path: string, caps: string[]) => `path "${path}" { capabilities = ${JSON.stringify(caps)} }\n`;
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
};

describe('Vault policy parsing (HCL 1 subset)', () => {
  it('reads blocks, attributes, lists, comments of all three kinds and both heredoc forms', () => {
    const items = parseHcl(`
      # hash comment
      // slash comment
      /* block
         comment */
      name = "ignored"
      path "secret/data/*" {
        capabilities = ["read", "list",]   # trailing comma allowed
        comment = <<EOT
  kept as written
EOT
        min_wrapping_ttl = 30
      }
      path "x" { policy = "write", comment = <<-EOT
          indented
            body
          EOT
      }
    `);
    expect(items.map((i) => i.keys)).to.deep.equal([['name'], ['path', 'secret/data/*'], ['path', 'x']]);
    const body = items[1].value as { keys: string[]; value: unknown }[];
    expect(body.find((b) => b.keys[0] === 'capabilities')!.value).to.deep.equal(['read', 'list']);
    expect(body.find((b) => b.keys[0] === 'comment')!.value).to.equal('  kept as written\n');
    const indented = (items[2].value as { keys: string[]; value: unknown }[]).find((b) => b.keys[0] === 'comment')!.value;
    expect(indented).to.equal('indented\n  body\n');
  });

  it('maps the old `policy = "write"` shorthand to capabilities and keeps deny alone', () => {
    const p = parsePolicy('x', 'path "a/*" { policy = "write" }\npath "b" { capabilities = ["read", "deny", "list"] }');
    expect([...p.rules[0].capabilities].sort()).to.deep.equal(['create', 'delete', 'list', 'read', 'update']);
    expect(p.rules[0]).to.include({ path: 'a/', isPrefix: true });
    expect([...p.rules[1].capabilities]).to.deep.equal(['deny']);
  });

  it('reads the JSON form HCL 1 also accepts', () => {
    const p = parsePolicy('j', JSON.stringify({ path: { 'secret/*': { capabilities: ['read'] }, '/kv/+/x': { capabilities: ['list'] } } }));
    expect(p.rules.map((r) => [r.path, r.isPrefix, r.hasSegmentWildcards])).to.deep.equal([['secret/', true, false], ['kv/+/x', false, true]]);
  });

  it('refuses what Vault refuses, in its words', () => {
    expect(refusal(() => parsePolicy('x', 'path "a" { capabilities = ["fly"] }'))).to.equal('failed to parse policy: path "a": invalid capability "fly"');
    expect(refusal(() => parsePolicy('x', 'path "a" { policy = "admin" }'))).to.equal('failed to parse policy: path "a": invalid policy "admin"');
    expect(refusal(() => parsePolicy('x', '\npaths "a" {}'))).to.equal('failed to parse policy: 1 error occurred:\n\t* invalid key "paths" on line 2\n\n');
    expect(refusal(() => parsePolicy('x', 'path "a" { capability = ["read"] }'))).to.equal('failed to parse policy: path "a": 1 error occurred:\n\t* invalid key "capability" on line 1\n\n');
    expect(refusal(() => parsePolicy('x', 'path "a/+*" { capabilities = ["read"] }'))).to.equal('failed to parse policy: path "a/+*": invalid use of wildcards (\'+*\' is forbidden)');
    expect(refusal(() => parsePolicy('x', 'path "a" { capabilities = ["read"'))).to.match(/^failed to parse policy: At 1:\d+: expected: /);
    expect(refusal(() => parsePolicy('x', 'path "a" { capabilities = "read" } @'))).to.match(/^failed to parse policy: At 1:\d+: illegal char/);
  });
});

describe('Vault ACL evaluation', () => {
  it('lets an exact rule win over any glob, and a longer prefix over a shorter one', () => {
    const a = acl(rule('secret/*', ['read']), rule('secret/data/app', ['deny']), rule('secret/data/*', ['list']));
    expect(a.allows('secret/data/app', 'read').allowed).to.equal(false);
    expect(a.allows('secret/data/other', 'read').allowed).to.equal(false);
    expect(a.allows('secret/data/other', 'list').allowed).to.equal(true);
    expect(a.allows('secret/metadata/x', 'read').allowed).to.equal(true);
  });

  it('ranks + and * patterns as acl.go does: later first wildcard, then non-prefix, then fewer +, then longer', () => {
    // The first wildcard comes later in secret/data/+/config than in secret/+/*, so it wins.
    const a = acl(rule('secret/+/*', ['read']), rule('secret/data/+/config', ['deny']));
    expect(a.allows('secret/data/app/config', 'read').allowed).to.equal(false);
    expect(a.allows('secret/data/app/other', 'read').allowed).to.equal(true);
    // Same first wildcard position: a non-prefix pattern beats a prefix one.
    const b = acl(rule('team/+/*', ['read']), rule('team/+/x', ['update']));
    expect(b.capabilitiesFor('team/a/x', 'read')).to.deep.equal(new Set(['update']));
    // Fewer + segments win; then the longer pattern.
    const c = acl(rule('k/+/+/z', ['read']), rule('k/+/y/z', ['update']));
    expect(c.capabilitiesFor('k/a/y/z', 'read')).to.deep.equal(new Set(['update']));
    // A prefix glob that starts later than the segment wildcard beats it.
    const d = acl(rule('a/+', ['read']), rule('a/b*', ['update']));
    expect(d.capabilitiesFor('a/bc', 'read')).to.deep.equal(new Set(['update']));
  });

  it('+ matches exactly one segment, and only whole segments', () => {
    const a = acl(rule('secret/data/+/db', ['read']));
    expect(a.allows('secret/data/app/db', 'read').allowed).to.equal(true);
    expect(a.allows('secret/data/app/x/db', 'read').allowed).to.equal(false);
    expect(a.allows('secret/data/db', 'read').allowed).to.equal(false);
  });

  it('adds up capabilities for the same pattern across policies, and deny in any one wipes them', () => {
    expect(acl(rule('a/*', ['read']), rule('a/*', ['list'])).capabilities('a/x')).to.deep.equal(['list', 'read']);
    expect(acl(rule('a/*', ['read']), rule('a/*', ['deny'])).allows('a/x', 'read').allowed).to.equal(false);
  });

  it('answers a list ("a/b/") from the rule for "a/b" and from globs matching the path without its slash', () => {
    expect(acl(rule('secret/metadata/app', ['list'])).allows('secret/metadata/app/', 'list').allowed).to.equal(true);
    expect(acl(rule('secret/metadata/ap*', ['list'])).allows('secret/metadata/app/', 'list').allowed).to.equal(true);
  });

  it('reports sudo separately, and root allows everything', () => {
    expect(acl(rule('sys/auth/*', ['update'])).allows('sys/auth/approle', 'update')).to.deep.equal({ allowed: true, sudo: false });
    expect(acl(rule('sys/auth/*', ['update', 'sudo'])).allows('sys/auth/approle', 'update')).to.deep.equal({ allowed: true, sudo: true });
    expect(new Acl(['root']).capabilities('anything')).to.deep.equal(['root']);
  });

  it('ships Vault\'s default policy: a token may look itself up and use its cubbyhole, nothing else', () => {
    const store = new PolicyStore();
    const a = store.acl(['default']);
    expect(a.allows('auth/token/lookup-self', 'read').allowed).to.equal(true);
    expect(a.allows('cubbyhole/x', 'create').allowed).to.equal(true);
    expect(a.allows('secret/data/x', 'read').allowed).to.equal(false);
    expect(store.list()).to.deep.equal(['default']);
    expect(refusal(() => store.delete('default'))).to.equal('cannot delete default policy');
    expect(refusal(() => store.set('root', 'path "x" {}'))).to.equal('cannot update "root" policy');
  });
});

describe('Vault ACL parameter rules and wrapping bounds', () => {
  const allows = (text: string, op: 'create' | 'update' | 'read', data: Record<string, unknown>, wrapTtl?: number) => acl(text).allows('secret/data/x', op, { data, wrapTtl }).allowed;

  it('keeps writes to the allowed parameters and values (globs at either end; an empty list is any value)', () => {
    const p = 'path "secret/data/x" { capabilities = ["create"]\n allowed_parameters = { "data" = [] "env" = ["prod-*", "*-test"] } }';
    expect(allows(p, 'create', { data: { a: 1 } })).to.equal(true);
    expect(allows(p, 'create', { env: 'prod-eu' })).to.equal(true);
    expect(allows(p, 'create', { env: 'stage-test' })).to.equal(true);
    expect(allows(p, 'create', { env: 'dev' })).to.equal(false);
    expect(allows(p, 'create', { other: '1' })).to.equal(false);
    expect(allows(p, 'create', {}), 'no data at all').to.equal(true);
  });

  it('refuses denied parameters ("*" denies any), and requires required ones', () => {
    expect(allows('path "secret/data/x" { capabilities = ["create"]\n denied_parameters = { "options" = [] } }', 'create', { data: {}, options: {} })).to.equal(false);
    expect(allows('path "secret/data/x" { capabilities = ["create"]\n denied_parameters = { "*" = [] } }', 'create', { data: {} })).to.equal(false);
    expect(allows('path "secret/data/x" { capabilities = ["create"]\n required_parameters = ["data"] }', 'create', { options: {} })).to.equal(false);
    expect(allows('path "secret/data/x" { capabilities = ["create"]\n required_parameters = ["data"] }', 'create', { data: {} })).to.equal(true);
  });

  it('holds a wrapped answer between min_wrapping_ttl and max_wrapping_ttl', () => {
    const p = 'path "secret/data/x" { capabilities = ["read"]\n min_wrapping_ttl = "1m"\n max_wrapping_ttl = 300 }';
    expect(allows(p, 'read', {})).to.equal(false);
    expect(allows(p, 'read', {}, 30)).to.equal(false);
    expect(allows(p, 'read', {}, 120)).to.equal(true);
    expect(allows(p, 'read', {}, 600)).to.equal(false);
    expect(refusal(() => parsePolicy('x', 'path "a" { capabilities = ["read"]\n min_wrapping_ttl = "5m"\n max_wrapping_ttl = "1m" }'))).to.equal('failed to parse policy: max_wrapping_ttl cannot be less than min_wrapping_ttl');
  });
});
