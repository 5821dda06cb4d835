/**
 * The AWS accounts the edge knows: each an account id with one access key pair (its root user: there are no IAM
 * users or roles here). The keys given as `credentials` belong to the default account, 000000000000 as on
 * LocalStack; more accounts come from `AWS_EDGE_ACCOUNTS` (JSON, or `@<file>` naming a JSON file):
 *   [{"accountId":"111111111111","accessKeyId":"AKIA…","secretAccessKey":"…","name":"partner"}]
 * A bucket belongs to the account that created it; bucket policies and ACLs decide what other accounts and
 * anonymous callers may do (access/authorize.ts).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { OWNER } from './model.ts';
import { leaf, node } from './xml.ts';

export const DEFAULT_ACCOUNT_ID = '000000000000';

export interface AccountSpec {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Display name in Owner elements (defaults to the account id). */
  name?: string;
}

export interface Account {
  id: string;
  name: string;
  /** The 64-hex-digit canonical user id ACLs and listings name the account by. */
  canonicalId: string;
  /** arn:aws:iam::<id>:root, how policies and denial messages name the caller. */
  arn: string;
}

const ACCOUNT_ID = /^\d{12}$/;

export class Accounts {
  readonly default: Account;
  /** accessKeyId → secret, for the SigV4 verifier. */
  readonly credentials: Record<string, string> = Object.create(null);
  private readonly byKey = new Map<string, Account>();
  private readonly byId = new Map<string, Account>();
  private readonly byCanonical = new Map<string, Account>();

  /** `credentials` are the default account's keys; `extra` adds accounts, each with its own key pair. */
  constructor(credentials: Record<string, string>, extra: AccountSpec[] = []) {
    // The default account keeps the canonical id listings always carried, so nothing seen before changes.
    this.default = this.add({ id: DEFAULT_ACCOUNT_ID, name: OWNER.displayName, canonicalId: OWNER.id, arn: rootArn(DEFAULT_ACCOUNT_ID) });
    for (const [key, secret] of Object.entries(credentials)) this.addKey(key, secret, this.default);
    for (const spec of extra) {
      if (!ACCOUNT_ID.test(spec.accountId)) throw new Error(`account id ${JSON.stringify(spec.accountId)} is not 12 digits`);
      if (!spec.accessKeyId || !spec.secretAccessKey) throw new Error(`account ${spec.accountId} needs accessKeyId and secretAccessKey`);
      const account = this.byId.get(spec.accountId) ?? this.add({
        id: spec.accountId, name: spec.name ?? spec.accountId, canonicalId: canonicalIdOf(spec.accountId), arn: rootArn(spec.accountId),
      });
      this.addKey(spec.accessKeyId, spec.secretAccessKey, account);
    }
  }

  byAccessKey(accessKeyId: string): Account | undefined {
    return this.byKey.get(accessKeyId);
  }

  byAccountId(id: string): Account | undefined {
    return this.byId.get(id);
  }

  byCanonicalId(id: string): Account | undefined {
    return this.byCanonical.get(id);
  }

  private add(a: Account): Account {
    this.byId.set(a.id, a);
    this.byCanonical.set(a.canonicalId, a);
    return a;
  }

  private addKey(key: string, secret: string, account: Account): void {
    if (this.byKey.has(key)) throw new Error(`access key ${key} is configured twice`);
    this.byKey.set(key, account);
    this.credentials[key] = secret;
  }
}

/** An Owner (or Initiator) element naming an account by id; an id no account has any more keeps only its ID. */
export function ownerXml(accounts: Accounts, accountId: string, tag = 'Owner'): string {
  const a = accounts.byAccountId(accountId);
  return node(tag, leaf('ID', a?.canonicalId ?? accountId), leaf('DisplayName', a?.name));
}

export const rootArn = (id: string): string => `arn:aws:iam::${id}:root`;

/** Canonical ids are opaque 64-hex-digit strings; ours are derived from the account id so they survive restarts. */
function canonicalIdOf(accountId: string): string {
  return createHash('sha256').update(`gatehouse-s3-canonical-user:${accountId}`).digest('hex');
}

/** `AWS_EDGE_ACCOUNTS`: a JSON array, or `@path` to a file holding one. Unset or empty: no extra accounts. */
export function parseAccountsConfig(raw: string | undefined): AccountSpec[] {
  if (!raw?.trim()) return [];
  const text = raw.trim().startsWith('@') ? fs.readFileSync(raw.trim().slice(1), 'utf8') : raw;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`AWS_EDGE_ACCOUNTS is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error('AWS_EDGE_ACCOUNTS must be a JSON array of {accountId, accessKeyId, secretAccessKey, name?}');
  return parsed.map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : '');
    if (!str('accountId') || !str('accessKeyId') || !str('secretAccessKey')) throw new Error(`AWS_EDGE_ACCOUNTS[${i}] needs accountId, accessKeyId and secretAccessKey strings`);
    return { accountId: str('accountId'), accessKeyId: str('accessKeyId'), secretAccessKey: str('secretAccessKey'), name: str('name') || undefined };
  });
}
