/**
 * The workspace's API credentials. A Customer.io workspace holds several Tracking API keys (each a Site ID and API
 * key pair) and several App API keys; an admin creates and deletes them in Settings → API Credentials, and a
 * deleted key is refused at once (Track and App API references: 401 "Unauthorized request"). That is what a key
 * rotation needs: the new key works before the old one is deleted. The reporting webhooks' signing key is here too:
 * regenerated, it signs the next webhook at once. The dashboard has no public API, so the fake's
 * admin routes stand in for it. Shapes from the dashboard: 20 hex characters for Site IDs and Tracking API keys,
 * 32 for App API keys (GitGuardian's Customer.io detectors describe the same lengths).
 */
import crypto from 'node:crypto';
import type { Workspace } from './types.ts';

export interface TrackKey {
  siteId: string;
  apiKey: string;
}

export interface AppKey {
  /** `app-` + the first 12 hex of the key's SHA-256: names a key in a URL without showing it. */
  id: string;
  key: string;
}

export const appKeyId = (key: string): string => `app-${sha256(key).toString('hex').slice(0, 12)}`;

export class ApiCredentials {
  private track: TrackKey[] = [];
  private app: AppKey[] = [];
  /** The reporting webhooks' signing key; regenerating it switches at once (no overlap on the sending side). */
  webhookSigningKey = '';
  private digests = new Map<string, Buffer>();

  constructor(private readonly seed: Workspace) {
    this.reset();
  }

  /** Back to the seed's one pair and one App key. */
  reset(): void {
    this.track = [{ siteId: this.seed.siteId, apiKey: this.seed.trackApiKey }];
    this.app = [{ id: appKeyId(this.seed.appApiKey), key: this.seed.appApiKey }];
    this.webhookSigningKey = this.seed.webhookSigningKey;
    this.digests.clear();
  }

  createTrack(): TrackKey {
    const k = { siteId: hex(10), apiKey: hex(10) };
    this.track.push(k);
    return k;
  }

  createApp(): AppKey {
    const key = hex(16);
    const k = { id: appKeyId(key), key };
    this.app.push(k);
    return k;
  }

  regenerateWebhookSigningKey(): string {
    this.webhookSigningKey = hex(32);
    return this.webhookSigningKey;
  }

  /** false when no such key exists. */
  deleteTrack(siteId: string): boolean {
    const before = this.track.length;
    this.track = this.track.filter((k) => k.siteId !== siteId);
    return this.track.length < before;
  }

  deleteApp(id: string): boolean {
    const before = this.app.length;
    this.app = this.app.filter((k) => k.id !== id);
    return this.app.length < before;
  }

  /** Both halves are compared for every pair (constant time), so a wrong Site ID and a wrong key take one path. */
  trackAllowed(siteId: string, apiKey: string): boolean {
    let ok = false;
    for (const k of this.track) ok = (this.same(siteId, k.siteId) && this.same(apiKey, k.apiKey)) || ok;
    return ok;
  }

  appAllowed(key: string): boolean {
    let ok = false;
    for (const k of this.app) ok = this.same(key, k.key) || ok;
    return ok;
  }

  /** What the admin state shows: Site IDs and key ids, the keys themselves only by their last four characters. */
  list() {
    return { track: this.track.map((k) => ({ siteId: k.siteId, apiKey: `***${k.apiKey.slice(-4)}` })), app: this.app.map((k) => ({ id: k.id, key: `***${k.key.slice(-4)}` })) };
  }

  /** Constant-time comparison (hashing first makes the lengths equal); expected values are hashed once. */
  private same(given: string, expected: string): boolean {
    let d = this.digests.get(expected);
    if (!d) this.digests.set(expected, (d = sha256(expected)));
    return crypto.timingSafeEqual(sha256(given), d);
  }
}

const sha256 = (s: string): Buffer => crypto.createHash('sha256').update(s).digest();
const hex = (bytes: number): string => crypto.randomBytes(bytes).toString('hex');
