/**
 * Publishing the committed pacts to a Pact Broker over its HTTP API, only when PACT_BROKER_BASE_URL is set:
 * `PUT /pacts/provider/{provider}/consumer/{consumer}/version/{consumerVersion}` with the pact as the JSON body
 * (docs.pact.io/pact_broker/advanced_topics/api_docs/publish_pact), then optionally
 * `PUT /pacticipants/{consumer}/versions/{version}/tags/{tag}` (docs.pact.io/pact_broker/tags).
 * Auth: PACT_BROKER_TOKEN as Bearer, or PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD as Basic. Never logged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BrokerSettings {
  baseUrl: string;
  version: string;
  tag?: string;
  token?: string;
  username?: string;
  password?: string;
}

export interface PlannedRequest {
  method: 'PUT';
  url: string;
  /** The pact file a publication carries (tags carry none). */
  file?: string;
}

/** Broker settings from the environment, or undefined when no broker is configured. */
export function brokerFromEnv(env: Record<string, string | undefined>, fallbackVersion: () => string): BrokerSettings | undefined {
  if (!env.PACT_BROKER_BASE_URL) return undefined;
  return {
    baseUrl: env.PACT_BROKER_BASE_URL.replace(/\/+$/, ''),
    version: env.PACT_CONSUMER_VERSION || fallbackVersion(),
    tag: env.PACT_CONSUMER_TAG || undefined,
    token: env.PACT_BROKER_TOKEN || undefined,
    username: env.PACT_BROKER_USERNAME || undefined,
    password: env.PACT_BROKER_PASSWORD || undefined,
  };
}

interface PactHead { consumer: { name: string }; provider: { name: string } }

/** The requests that publish every pact in `dir` (and tag each consumer version once). */
export function publishPlan(dir: string, broker: Pick<BrokerSettings, 'baseUrl' | 'version' | 'tag'>): PlannedRequest[] {
  const seg = encodeURIComponent;
  const plan: PlannedRequest[] = [];
  const consumers = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const pact = JSON.parse(readFileSync(join(dir, file), 'utf8')) as PactHead;
    consumers.add(pact.consumer.name);
    plan.push({ method: 'PUT', file: join(dir, file), url: `${broker.baseUrl}/pacts/provider/${seg(pact.provider.name)}/consumer/${seg(pact.consumer.name)}/version/${seg(broker.version)}` });
  }
  if (broker.tag) for (const c of consumers) plan.push({ method: 'PUT', url: `${broker.baseUrl}/pacticipants/${seg(c)}/versions/${seg(broker.version)}/tags/${seg(broker.tag)}` });
  return plan;
}

function authHeader(b: BrokerSettings): Record<string, string> {
  if (b.token) return { authorization: `Bearer ${b.token}` };
  if (b.username) return { authorization: 'Basic ' + Buffer.from(`${b.username}:${b.password ?? ''}`).toString('base64') };
  return {};
}

/** Sends the plan; stops at the first refusal with the broker's status (its body may echo nothing secret of ours). */
export async function publishPacts(dir: string, broker: BrokerSettings, log: (line: string) => void = () => {}): Promise<PlannedRequest[]> {
  const plan = publishPlan(dir, broker);
  for (const req of plan) {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { 'content-type': 'application/json', accept: 'application/hal+json, application/json', ...authHeader(broker) },
      body: req.file ? readFileSync(req.file) : '{}',
    });
    if (!res.ok) throw new Error(`Pact Broker refused ${req.method} ${req.url}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    log(`${req.method} ${req.url} → ${res.status}`);
  }
  return plan;
}
