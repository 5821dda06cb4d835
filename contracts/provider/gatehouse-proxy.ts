/**
 * Provider verification of the mobile pact: Gatehouse as the app meets it, i.e. the gateway in front of the
 * proxy (Express stack or bundled Lambda), with the fakes behind. The pact holds only example credentials, so the
 * state handlers mint real ones (a fresh or expired JWT from the gateway, an API token) and the request filter
 * swaps them in; data states seed the fakes through their admin APIs.
 */
import { KEYED_CAMPAIGN, MOBILE_STATES as S, ADA } from '../consumer/mobile-app/states.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { requireCustomerioSeed } from './fakes.ts';
import { sendCampaign, signedWebhook, type MailStates } from './mail-states.ts';
import { freshWebhookTimestamp, signCustomerioRequest } from './customerio-webhook-states.ts';
import type { PackagesStates } from './packages-states.ts';
import { verifyProvider, type CredentialSwap, type StateHandlers, type Verification } from './verify.ts';

export interface GatehouseTarget {
  /** Where the app sends requests: the gateway. */
  gatewayUrl: string;
  mintToken(email: string, ttlSeconds?: number): Promise<string>;
  /** The proxy's environment (allow-lists the states rely on). */
  proxyEnv: Record<string, string | undefined>;
  /** Put the fakes back to their seed before each interaction (a no-op against a deployed stack). */
  resetFakes(): Promise<void>;
  /** Make sure a user has Customer.io activity to list. */
  recordActivity(email: string): Promise<void>;
  /** Cards: mint an API token for a user, and seed their cards (absent until the target serves cards). */
  cards?: CardsStates;
  /** Mail: the CRM's API key and the webhook signing key (absent until the target serves mail). */
  mail?: MailStates;
  /** Packages: presigned URLs issued through the gateway, a deleted package to restore (absent until served). */
  packages?: PackagesStates;
  /** The Customer.io workspace's webhook signing key the proxy verifies with (absent: the webhook states fail). */
  customerioWebhookKey?: string;
}

export interface CardsStates {
  issueApiToken(email: string): Promise<string>;
  /** Seeds cards and transactions; returns values the pact takes from the provider state (e.g. `cardId`). */
  seedCards(email: string): Promise<Record<string, string>>;
  reset(): Promise<void>;
}

interface Credentials {
  jwt?: string;
  apiToken?: string;
  apiKey?: string;
}

export function gatehouseStates(target: GatehouseTarget): { stateHandlers: StateHandlers; beforeEach: () => Promise<void>; swap: CredentialSwap; rewrite: Verification['rewrite'] } {
  let creds: Credentials = {};
  const cards = () => {
    if (!target.cards) throw new Error('this target does not serve the cards routes');
    return target.cards;
  };
  const mail = () => {
    if (!target.mail) throw new Error('this target does not serve the mail routes');
    return target.mail;
  };
  const packages = () => {
    if (!target.packages) throw new Error('this target does not serve the packages routes');
    return target.packages;
  };
  const allowsOrigin = (origin: string) => {
    const origins = (target.proxyEnv.PROXY_CORS_ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim());
    if (!origins.includes(origin)) throw new Error(`the proxy must allow the origin ${origin} (PROXY_CORS_ALLOWED_ORIGINS)`);
    return undefined;
  };
  const stateHandlers: StateHandlers = {
    [S.signedIn]: async () => { creds.jwt = await target.mintToken(ADA); return undefined; },
    [S.expiredToken]: async () => { creds.jwt = await target.mintToken(ADA, -60); return undefined; },
    [S.anonymous]: async () => { creds = {}; return undefined; },
    [S.hasActivity]: async () => { await target.recordActivity(ADA); return undefined; },
    [S.broadcastAllowed]: async () => {
      requireCustomerioSeed((s) => s.broadcasts.some((b) => b.id === 7), 'broadcast 7');
      const allowed = (target.proxyEnv.CIO_ALLOWED_BROADCAST_IDS ?? '').split(',').map((s) => s.trim());
      if (!allowed.includes('7')) throw new Error('the proxy must allow broadcast 7 (CIO_ALLOWED_BROADCAST_IDS)');
      return undefined;
    },
    [S.transactionalMessages]: async () => {
      requireCustomerioSeed((s) => s.transactionalMessages.some((m) => m.id === 1 && m.type === 'email') && s.transactionalMessages.some((m) => m.id === 2 && m.type === 'push'),
        'transactional email 1 and push 2');
      return undefined;
    },
    [S.apiToken]: async () => { creds.apiToken = await cards().issueApiToken(ADA); return undefined; },
    [S.unknownApiToken]: async () => { creds.apiToken = undefined; return undefined; },
    [S.hasCards]: async () => cards().seedCards(ADA),
    [S.crmApiKey]: async () => { creds.apiKey = mail().apiKey; return undefined; },
    [S.unknownApiKey]: async () => { creds.apiKey = undefined; return undefined; },
    // The fixture's reports (fixtures/aws/files/reports/DN-1001/2025/07/) are in the bucket the stack seeds.
    [S.julyReports]: async () => { mail(); return undefined; },
    [S.mailSent]: async () => sendCampaign(target.gatewayUrl, mail().apiKey),
    [S.mailSentWithKey]: async () => sendCampaign(target.gatewayUrl, mail().apiKey, KEYED_CAMPAIGN),
    [S.mailgunSigns]: async () => signedWebhook(mail().webhookSigningKey),
    [S.customerioSigns]: async () => {
      if (!target.customerioWebhookKey) throw new Error('this target has no Customer.io webhook signing key');
      return freshWebhookTimestamp();
    },
    [S.deletedPackage]: async () => { await packages().ensureDeleted('N:package:461'); return undefined; },
    // Issued for ada with a token of the state's own: the interaction itself carries no credential.
    [S.packagePresigned]: async () => packages().presign(await target.mintToken(ADA)),
    // The S3 proxy and the reports routes read the one list.
    [S.corsOrigin]: async () => allowsOrigin('http://127.0.0.1:5173'),
    [S.reportsCorsOrigin]: async () => allowsOrigin('http://127.0.0.1:5173'),
  };
  const beforeEach = async () => {
    creds = {};
    await target.resetFakes();
    await target.cards?.reset();
  };
  // Only requests that carry a credential in the pact get a real one; the rest go out as recorded.
  const swap: CredentialSwap = (h) => {
    if (h.authorization !== undefined && creds.jwt) h.authorization = `Bearer ${creds.jwt}`;
    if (h.token !== undefined && creds.apiToken) h.token = creds.apiToken;
    if (h['x-api-key'] !== undefined && creds.apiKey) h['x-api-key'] = creds.apiKey;
  };
  // Customer.io webhooks are signed over the bytes the verifier sends (customerio-webhook-states.ts).
  const rewrite: Verification['rewrite'] = (req) => {
    if (target.customerioWebhookKey) signCustomerioRequest(req, target.customerioWebhookKey);
  };
  return { stateHandlers, beforeEach, swap, rewrite };
}

export function verifyGatehouseProxy(target: GatehouseTarget, pactFile: string): Promise<string> {
  const { stateHandlers, beforeEach, swap, rewrite } = gatehouseStates(target);
  return verifyProvider({ provider: PARTICIPANTS.proxy, providerBaseUrl: target.gatewayUrl, pactFiles: [pactFile], stateHandlers, beforeEach, swapCredentials: swap, rewrite });
}
