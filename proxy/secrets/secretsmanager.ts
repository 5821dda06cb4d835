import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretProvider } from './chain.ts';
import { pickNames, readAll } from './values.ts';

export interface SecretsManagerSecret {
  /** Name or ARN, e.g. seed 001's `customerio-credentials`. */
  id: string;
  /** Other key names accepted for a chain name: seed 001 stores `{"siteId","apiKey"}` for CIO_SITE_ID/CIO_API_KEY. */
  aliases?: Record<string, string>;
}

/**
 * Reads JSON secrets from AWS Secrets Manager (seed 001, option 2: `GetSecretValue` of `customerio-credentials`,
 * `JSON.parse(SecretString)`), in order; the first secret holding a name wins. A secret that does not exist is
 * "nothing here" (ResourceNotFoundException), like a Vault 404. Read again on refresh; the AWSCURRENT version is
 * what a rotation moves. Errors name the secret and AWS's error, never the SecretString.
 */
export function secretsManagerProvider(client: SecretsManagerClient, secrets: SecretsManagerSecret[]): SecretProvider {
  const versions: Record<string, string> = {};
  const read = async (s: SecretsManagerSecret): Promise<Record<string, unknown>> => {
    let out;
    try {
      out = await client.send(new GetSecretValueCommand({ SecretId: s.id }));
    } catch (e) {
      const err = e as { name?: string; message?: string };
      if (err.name === 'ResourceNotFoundException') return {};
      throw new Error(`GetSecretValue of ${s.id} failed: ${err.name ?? 'Error'}${err.message ? ` (${err.message})` : ''}`);
    }
    if (out.VersionId) versions[s.id] = out.VersionId;
    if (out.SecretString === undefined) throw new Error(`secret ${s.id} has no SecretString (binary secrets are not supported)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(out.SecretString);
    } catch {
      // Not the parser's message: V8 quotes the start of the text, which is the secret.
      throw new Error(`secret ${s.id} is not a JSON object`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`secret ${s.id} is not a JSON object`);
    const obj = parsed as Record<string, unknown>;
    for (const [alias, name] of Object.entries(s.aliases ?? {})) if (obj[name] === undefined && obj[alias] !== undefined) obj[name] = obj[alias];
    return obj;
  };
  return {
    name: 'secretsmanager',
    where: `Secrets Manager ${secrets.map((s) => s.id).join(', ')}`,
    refreshable: true,
    async load(wanted) {
      const datas = await readAll(secrets, read);
      return pickNames(datas, wanted);
    },
    versions: () => ({ ...versions }),
  };
}
