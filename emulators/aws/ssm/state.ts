/**
 * SSM Parameter Store model: parameters with their version history, and the rules AWS applies to them.
 * No HTTP here; `routes.ts` parses the JSON 1.1 wire format and renders what this returns.
 */
import { createHash } from 'node:crypto';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type Tier = 'Standard' | 'Advanced' | 'Intelligent-Tiering';

export interface ParameterVersion {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  keyId?: string;
  description?: string;
  tier: Tier;
  dataType: string;
  lastModified: number;
  /** Labels on this version (LabelParameterVersion); a label sits on at most one version of a parameter. */
  labels: string[];
}

/** An error in SSM's JSON shape: `{"__type": type, "message": message}` with HTTP 400. */
export class SsmError extends Error {
  readonly status = 400;
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export const ACCOUNT_ID = '000000000000';
// The KMS key AWS uses for a SecureString when PutParameter names none (PutParameter API reference, KeyId).
export const DEFAULT_KEY_ID = 'alias/aws/ssm';
// Standard-tier values are capped at 4 KB, advanced at 8 KB (PutParameter API reference, Value).
const MAX_VALUE = { Standard: 4096, Advanced: 8192, 'Intelligent-Tiering': 8192 } as const;

export interface PutInput {
  name: string;
  value: string;
  type?: ParameterType;
  overwrite?: boolean;
  keyId?: string;
  description?: string;
  tier?: Tier;
  dataType?: string;
}

export class SsmStore {
  private params = new Map<string, ParameterVersion[]>();
  /** Tags per parameter name (AddTagsToResource with ResourceType Parameter). */
  private tags = new Map<string, Map<string, string>>();
  constructor(readonly region: string, private readonly now: () => number = Date.now) {}

  put(p: PutInput): { version: number; tier: Tier } {
    validateName(p.name);
    const history = this.params.get(p.name);
    if (history && !p.overwrite) {
      // Exact AWS text (observed response of PutParameter on an existing name).
      throw new SsmError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const previous = history?.at(-1);
    const type = p.type ?? previous?.type;
    if (!type) throw new SsmError('ValidationException', 'A parameter type is required when you create a parameter.');
    const tier = p.tier ?? previous?.tier ?? 'Standard';
    if (Buffer.byteLength(p.value) > MAX_VALUE[tier]) {
      throw new SsmError('ValidationException', `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE[tier]}`);
    }
    if (p.keyId && type !== 'SecureString') throw new SsmError('ValidationException', 'KeyId is required for SecureString type parameter only.');
    const v: ParameterVersion = {
      name: p.name,
      type,
      value: p.value,
      version: (previous?.version ?? 0) + 1,
      keyId: type === 'SecureString' ? p.keyId ?? (p.type ? undefined : previous?.keyId) ?? DEFAULT_KEY_ID : undefined,
      description: p.description ?? previous?.description,
      tier,
      dataType: p.dataType ?? previous?.dataType ?? 'text',
      lastModified: this.now(),
      labels: [],
    };
    this.params.set(p.name, [...(history ?? []), v]);
    return { version: v.version, tier };
  }

  /** Resolve `name`, `name:version` or `name:label`. */
  get(selector: string): { param: ParameterVersion; selector?: string } {
    const { name, version, label } = parseSelector(selector);
    const history = this.params.get(name);
    if (!history) throw notFound(name);
    if (label !== undefined) {
      const labelled = history.find((h) => h.labels.includes(label));
      if (!labelled) throw new SsmError('ParameterVersionLabelNotFound', `Systems Manager could not find label ${label} of ${name}. Verify the label and try again.`);
      return { param: labelled, selector: `:${label}` };
    }
    if (version === undefined) return { param: history.at(-1)! };
    const param = history.find((h) => h.version === version);
    // Message as AWS sends it for GetParameter with an unknown `name:version`.
    if (!param) throw new SsmError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    return { param, selector: `:${version}` };
  }

  /** Every version of a parameter, oldest first (GetParameterHistory). */
  history(name: string): ParameterVersion[] {
    const history = this.params.get(name);
    if (!history) throw notFound(name);
    return history;
  }

  /**
   * LabelParameterVersion: attach labels to one version (the latest when none is named), moving each from the
   * version that had it. Malformed labels are reported back, not raised (API reference, InvalidLabels).
   */
  label(name: string, labels: string[], version?: number): { version: number; invalid: string[] } {
    const history = this.history(name);
    const target = version === undefined ? history.at(-1)! : history.find((h) => h.version === version);
    if (!target) throw new SsmError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    const invalid = labels.filter((l) => !isValidLabel(l));
    const valid = labels.filter(isValidLabel);
    // At most 10 labels per version (LabelParameterVersion API reference, ParameterVersionLabelLimitExceeded).
    if (new Set([...target.labels, ...valid]).size > 10) throw new SsmError('ParameterVersionLabelLimitExceeded', 'A parameter version can have maximum 10 labels. Move one or more labels to another version and try again.');
    for (const l of valid) {
      for (const h of history) h.labels = h.labels.filter((x) => x !== l);
      target.labels.push(l);
    }
    return { version: target.version, invalid };
  }

  /** UnlabelParameterVersion: labels not on that version come back as invalid. */
  unlabel(name: string, version: number, labels: string[]): { removed: string[]; invalid: string[] } {
    const target = this.history(name).find((h) => h.version === version);
    if (!target) throw new SsmError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    const removed = labels.filter((l) => target.labels.includes(l));
    target.labels = target.labels.filter((l) => !removed.includes(l));
    return { removed, invalid: labels.filter((l) => !removed.includes(l)) };
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  delete(name: string): void {
    if (!this.params.delete(name)) throw notFound(name);
    this.tags.delete(name);
  }

  /** AddTagsToResource: a key given again takes the new value; at most 50 tags (API reference, TooManyTagsError). */
  addTags(name: string, tags: { Key: string; Value: string }[]): void {
    if (!this.params.has(name)) throw invalidResourceId();
    const current = new Map(this.tags.get(name));
    for (const t of tags) current.set(t.Key, t.Value);
    if (current.size > 50) throw new SsmError('TooManyTagsError', 'The Tags parameter contains more than the maximum of 50 tags.');
    this.tags.set(name, current);
  }

  removeTags(name: string, keys: string[]): void {
    if (!this.params.has(name)) throw invalidResourceId();
    for (const k of keys) this.tags.get(name)?.delete(k);
  }

  listTags(name: string): { Key: string; Value: string }[] {
    if (!this.params.has(name)) throw invalidResourceId();
    return [...(this.tags.get(name) ?? [])].map(([Key, Value]) => ({ Key, Value }));
  }

  /** The latest version of every parameter, sorted by name (the order pagination walks). */
  latest(): ParameterVersion[] {
    return [...this.params.values()].map((h) => h.at(-1)!).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Parameters under `path`: direct children, or every descendant when `recursive`. */
  byPath(path: string, recursive: boolean): ParameterVersion[] {
    validatePath(path);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return this.latest().filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')));
  }

  arn(name: string): string {
    // ARN shape: arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash> (Parameter API reference).
    return `arn:aws:ssm:${this.region}:${ACCOUNT_ID}:parameter/${name.replace(/^\//, '')}`;
  }

  reset(): void {
    this.params.clear();
    this.tags.clear();
  }

  snapshot(): { name: string; type: ParameterType; version: number }[] {
    // Values stay out of snapshots: SecureStrings are secrets.
    return this.latest().map((p) => ({ name: p.name, type: p.type, version: p.version }));
  }
}

/**
 * What AWS returns for a SecureString read without WithDecryption: the KMS ciphertext, base64. Ours is a
 * deterministic stand-in of the same look that does not reveal the plaintext.
 */
export function ciphertextOf(p: ParameterVersion): string {
  const digest = createHash('sha256').update(`${p.keyId}\0${p.name}\0${p.version}\0${p.value}`).digest();
  // KMS ciphertext blobs begin with the bytes 01 02 02 00 78, so their base64 starts "AQICAHg".
  return Buffer.concat([Buffer.from([1, 2, 2, 0, 0x78]), digest, digest]).toString('base64');
}

// The tagging operations name an unknown parameter this way (AddTagsToResource API reference, InvalidResourceId).
const invalidResourceId = () => new SsmError('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.');

export const notFound = (name: string) => new SsmError('ParameterNotFound', `Parameter ${name} not found.`);

/** Labels: 1–100 letters, digits, `.`, `-`, `_`; not starting with a digit, `aws` or `ssm` (LabelParameterVersion API reference). */
const isValidLabel = (l: string): boolean => /^[A-Za-z._-][A-Za-z0-9._-]{0,99}$/.test(l) && !/^(aws|ssm)/i.test(l);

function parseSelector(s: string): { name: string; version?: number; label?: string } {
  const i = s.lastIndexOf(':');
  if (i <= 0) return { name: s };
  const name = s.slice(0, i);
  const sel = s.slice(i + 1);
  return /^\d+$/.test(sel) ? { name, version: Number(sel) } : { name, label: sel };
}

const NAME_RE = /^[a-zA-Z0-9_.\-/]+$/;

function validateName(name: string): void {
  if (!name || name.length > 2048 || !NAME_RE.test(name)) {
    throw new SsmError('ValidationException', 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_');
  }
  if (/^\/?(aws|ssm)/i.test(name)) throw new SsmError('ValidationException', 'No access to reserved parameter name: ' + name + '.');
  // A hierarchical name must be fully qualified (begin with "/") — PutParameter API reference, Name.
  if (name.includes('/') && !name.startsWith('/')) throw new SsmError('ValidationException', 'Parameter name must be a fully qualified name.');
  if (name.split('/').length - 1 > 15) throw new SsmError('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.');
}

function validatePath(path: string): void {
  if (!path.startsWith('/') || !NAME_RE.test(path)) {
    throw new SsmError('ValidationException', `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/".`);
  }
}
