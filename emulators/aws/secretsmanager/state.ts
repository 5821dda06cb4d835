/**
 * Secrets Manager model: secrets, their versions and the staging labels that point at versions, with the rules
 * AWS applies when labels move. No HTTP here; `routes.ts` parses the JSON 1.1 wire format and renders this.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const ACCOUNT_ID = '000000000000';
export const CURRENT = 'AWSCURRENT';
export const PREVIOUS = 'AWSPREVIOUS';
export const PENDING = 'AWSPENDING';

export interface SecretVersion {
  id: string;
  string?: string;
  binary?: Buffer;
  stages: Set<string>;
  created: number;
}

export interface Secret {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  versions: Map<string, SecretVersion>;
  created: number;
  changed: number;
  accessed?: number;
  deletionDate?: number;
}

/** An error in Secrets Manager's JSON shape: `{"__type": type, "message": message}`, HTTP 400. */
export class SecretsError extends Error {
  readonly status = 400;
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

// Messages as AWS returns them (observed responses; Secrets Manager API reference, Errors sections).
const notFound = () => new SecretsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const markedForDeletion = () => new SecretsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
const DAY = 86_400_000;

export interface NewValue {
  token?: string;
  string?: string;
  binary?: Buffer;
}

export class SecretsStore {
  private secrets = new Map<string, Secret>();
  constructor(readonly region: string, private readonly now: () => number = Date.now) {}

  create(o: NewValue & { name: string; description?: string; kmsKeyId?: string; tags?: Secret['tags'] }): { secret: Secret; version?: SecretVersion } {
    validateName(o.name);
    const existing = this.secrets.get(o.name);
    if (existing?.deletionDate !== undefined) {
      throw new SecretsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
    }
    if (existing) {
      // Idempotent retry of the same CreateSecret (same ClientRequestToken and value) returns the same answer.
      const same = o.token && existing.versions.get(o.token);
      if (same && sameValue(same, o)) return { secret: existing, version: same };
      throw new SecretsError('ResourceExistsException', `The operation failed because the secret ${o.name} already exists.`);
    }
    const t = this.now();
    // ARNs end in "-" and six random characters (Secrets Manager user guide, "Secret ARN").
    const suffix = randomBytes(6).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 6);
    const secret: Secret = {
      name: o.name, arn: `arn:aws:secretsmanager:${this.region}:${ACCOUNT_ID}:secret:${o.name}-${suffix}`,
      description: o.description, kmsKeyId: o.kmsKeyId, tags: o.tags ?? [], versions: new Map(), created: t, changed: t,
    };
    this.secrets.set(o.name, secret);
    const version = hasValue(o) ? this.addVersion(secret, o, [CURRENT]) : undefined;
    return { secret, version };
  }

  /** By name or full ARN (partial ARNs are not resolved); a secret whose recovery window has passed is gone. */
  find(id: string, opts: { allowDeleted?: boolean } = {}): Secret {
    const s = this.lookup(id);
    if (!s) throw notFound();
    if (s.deletionDate !== undefined && !opts.allowDeleted) throw markedForDeletion();
    return s;
  }

  private lookup(id: string): Secret | undefined {
    const s = this.secrets.get(id) ?? [...this.secrets.values()].find((x) => x.arn === id);
    if (s?.deletionDate !== undefined && s.deletionDate <= this.now()) {
      this.secrets.delete(s.name);
      return undefined;
    }
    return s;
  }

  /** GetSecretValue: by VersionId and/or VersionStage (AWSCURRENT when neither is given). */
  value(id: string, versionId?: string, stage?: string): { secret: Secret; version: SecretVersion } {
    const secret = this.find(id);
    let version: SecretVersion | undefined;
    if (versionId !== undefined) {
      version = secret.versions.get(versionId);
      if (!version) throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      if (stage !== undefined && !version.stages.has(stage)) {
        throw new SecretsError('InvalidRequestException', `You provided a VersionStage that is not associated to the provided VersionId.`);
      }
    } else {
      const label = stage ?? CURRENT;
      version = this.holder(secret, label);
      if (!version) throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${label}`);
    }
    secret.accessed = startOfDay(this.now());
    return { secret, version };
  }

  /** PutSecretValue: a new version with the given labels (AWSCURRENT by default), moving them off other versions. */
  put(id: string, o: NewValue & { stages?: string[] }): { secret: Secret; version: SecretVersion } {
    const secret = this.find(id);
    if (!hasValue(o)) throw new SecretsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    const existing = o.token ? secret.versions.get(o.token) : undefined;
    if (existing) {
      // PutSecretValue API reference: the same token with the same value is a no-op; another value is refused.
      if (!sameValue(existing, o)) throw new SecretsError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
      return { secret, version: existing };
    }
    return { secret, version: this.addVersion(secret, o, o.stages ?? [CURRENT]) };
  }

  /**
   * UpdateSecretVersionStage: move one label. A label attached elsewhere must be named in RemoveFromVersionId;
   * moving AWSCURRENT hands AWSPREVIOUS to the version that had it (API reference and CLI example 1).
   */
  moveStage(id: string, stage: string, removeFrom?: string, moveTo?: string): Secret {
    const secret = this.find(id);
    for (const v of [removeFrom, moveTo]) if (v !== undefined && !secret.versions.has(v)) throw new SecretsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${v}`);
    const holder = this.holder(secret, stage);
    if (moveTo !== undefined && holder && holder.id !== moveTo && holder.id !== removeFrom) {
      throw new SecretsError('InvalidParameterException', `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
    }
    if (removeFrom !== undefined && holder?.id !== removeFrom) {
      throw new SecretsError('InvalidParameterException', `The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (stage === CURRENT && moveTo === undefined) throw new SecretsError('InvalidParameterException', 'You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.');
    if (holder?.id === moveTo) return secret;
    holder?.stages.delete(stage);
    if (moveTo !== undefined) {
      if (stage === CURRENT && holder) this.label(secret, holder, PREVIOUS);
      secret.versions.get(moveTo)!.stages.add(stage);
    }
    secret.changed = this.now();
    return secret;
  }

  /**
   * DeleteSecret (API reference, DeleteSecret): scheduled after a 7–30 day window (default 30), or gone at once
   * when forced. Forcing is allowed on a secret already scheduled, and on one that does not exist: "If you
   * forcibly delete an already deleted or nonexistent secret, the operation does not return
   * ResourceNotFoundException" (so retries succeed). Scheduling an already scheduled secret is refused.
   */
  delete(id: string, windowDays?: number, force?: boolean): { name: string; arn: string; deletionDate: number } {
    if (force && windowDays !== undefined) {
      throw new SecretsError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (windowDays !== undefined && (windowDays < 7 || windowDays > 30)) {
      throw new SecretsError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const secret = this.lookup(id);
    if (force) {
      if (secret) this.secrets.delete(secret.name);
      // An unknown id is echoed back: its name, and an ARN without the random suffix AWS never assigned.
      const name = secret?.name ?? nameOf(id);
      return { name, arn: secret?.arn ?? (id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${this.region}:${ACCOUNT_ID}:secret:${id}`), deletionDate: this.now() };
    }
    if (!secret) throw notFound();
    if (secret.deletionDate !== undefined) throw markedForDeletion();
    secret.deletionDate = this.now() + (windowDays ?? 30) * DAY;
    return { name: secret.name, arn: secret.arn, deletionDate: secret.deletionDate };
  }

  restore(id: string): Secret {
    const secret = this.find(id, { allowDeleted: true });
    secret.deletionDate = undefined;
    return secret;
  }

  /** UpdateSecret: description and KMS key in place; a value makes a new AWSCURRENT version (as PutSecretValue). */
  update(id: string, o: NewValue & { description?: string; kmsKeyId?: string }): { secret: Secret; version?: SecretVersion } {
    const secret = this.find(id);
    if (o.description !== undefined) secret.description = o.description;
    if (o.kmsKeyId !== undefined) secret.kmsKeyId = o.kmsKeyId;
    secret.changed = this.now();
    if (!hasValue(o)) return { secret };
    return this.put(id, { ...o, stages: [CURRENT] });
  }

  /** TagResource: a key given again replaces its value (TagResource API reference). */
  tag(id: string, tags: Secret['tags']): void {
    const secret = this.find(id, { allowDeleted: true });
    for (const t of tags) {
      const i = secret.tags.findIndex((x) => x.Key === t.Key);
      if (i < 0) secret.tags.push({ ...t });
      else secret.tags[i] = { ...t };
    }
    if (secret.tags.length > 50) throw new SecretsError('ValidationException', 'Number of tags exceeds the limit of 50.');
    secret.changed = this.now();
  }

  untag(id: string, keys: string[]): void {
    const secret = this.find(id, { allowDeleted: true });
    secret.tags = secret.tags.filter((t) => !keys.includes(t.Key));
    secret.changed = this.now();
  }

  /** Secrets whose recovery window has passed are gone, as AWS purges them. */
  list(includeDeleted: boolean): Secret[] {
    this.purge();
    return [...this.secrets.values()].filter((s) => includeDeleted || s.deletionDate === undefined);
  }

  snapshot() {
    this.purge();
    return [...this.secrets.values()].map((s) => ({
      name: s.name, arn: s.arn, deletionDate: s.deletionDate,
      // Values are secrets: the admin view shows labels only.
      versions: [...s.versions.values()].map((v) => ({ id: v.id, stages: [...v.stages] })),
    }));
  }

  reset(): void {
    this.secrets.clear();
  }

  private purge(): void {
    for (const s of this.secrets.values()) if (s.deletionDate !== undefined && s.deletionDate <= this.now()) this.secrets.delete(s.name);
  }

  private holder(secret: Secret, stage: string): SecretVersion | undefined {
    return [...secret.versions.values()].find((v) => v.stages.has(stage));
  }

  /** Attach a label to one version, taking it off whichever version had it. */
  private label(secret: Secret, version: SecretVersion, stage: string): void {
    const old = this.holder(secret, stage);
    if (old && old !== version) old.stages.delete(stage);
    version.stages.add(stage);
  }

  private addVersion(secret: Secret, o: NewValue, stages: string[]): SecretVersion {
    if (stages.length > 20) throw new SecretsError('LimitExceededException', 'You exceeded the maximum number of staging labels allowed on a secret.');
    const version: SecretVersion = { id: o.token ?? randomUUID(), string: o.string, binary: o.binary, stages: new Set(), created: this.now() };
    const previousCurrent = this.holder(secret, CURRENT);
    secret.versions.set(version.id, version);
    for (const st of stages) this.label(secret, version, st);
    // The version that loses AWSCURRENT becomes AWSPREVIOUS (PutSecretValue API reference, VersionStages).
    if (stages.includes(CURRENT) && previousCurrent && previousCurrent !== version) this.label(secret, previousCurrent, PREVIOUS);
    secret.changed = this.now();
    return version;
  }
}

/** The secret name inside an ARN (`…:secret:<name>-<6 chars>`), or the id itself. */
const nameOf = (id: string): string => (id.startsWith('arn:') ? id.split(':secret:')[1]?.replace(/-[A-Za-z0-9]{6}$/, '') ?? id : id);
const hasValue = (o: NewValue) => o.string !== undefined || o.binary !== undefined;
const sameValue = (v: SecretVersion, o: NewValue) => v.string === o.string && (v.binary === undefined ? o.binary === undefined : !!o.binary && v.binary.equals(o.binary));
const startOfDay = (t: number) => Math.floor(t / DAY) * DAY;

/** Names: 1–512 of letters, digits and /_+=.@- (CreateSecret API reference, Name). */
function validateName(name: string): void {
  if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
    throw new SecretsError('ValidationException', 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
}
