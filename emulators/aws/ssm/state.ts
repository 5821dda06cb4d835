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
    };
    this.params.set(p.name, [...(history ?? []), v]);
    return { version: v.version, tier };
  }

  /** Resolve `name` or `name:version`; labels are not modelled and never match. */
  get(selector: string): { param: ParameterVersion; selector?: string } {
    const { name, version, label } = parseSelector(selector);
    const history = this.params.get(name);
    if (!history) throw notFound(name);
    if (label !== undefined) {
      throw new SsmError('ParameterVersionLabelNotFound', `Systems Manager could not find label ${label} of ${name}. Verify the label and try again.`);
    }
    if (version === undefined) return { param: history.at(-1)! };
    const param = history.find((h) => h.version === version);
    // Message as AWS sends it for GetParameter with an unknown `name:version`.
    if (!param) throw new SsmError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`);
    return { param, selector: `:${version}` };
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  delete(name: string): void {
    if (!this.params.delete(name)) throw notFound(name);
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

export const notFound = (name: string) => new SsmError('ParameterNotFound', `Parameter ${name} not found.`);

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
