/** Customer.io through Gatehouse, as the app calls it: typed requests, typed answers. */
import type { Transport } from './http.ts';

export interface AppEvent {
  name: string;
  id?: string;
  type?: 'event' | 'page' | 'screen';
  timestamp?: number;
  data?: Record<string, unknown>;
}

export interface Device {
  id: string;
  platform: 'ios' | 'android';
  last_used?: number;
  attributes?: Record<string, unknown>;
}

export type PushMetric = 'delivered' | 'opened' | 'converted';
export type Metric = 'bounced' | 'clicked' | 'converted' | 'deferred' | 'delivered' | 'dropped' | 'opened' | 'spammed';

export interface TransactionalSend {
  transactional_message_id: number | string;
  identifiers: { email: string } | { id: string };
  to?: string;
  message_data?: Record<string, unknown>;
}

export interface Delivery {
  delivery_id: string;
  queued_at: number;
}

export interface Activity {
  id: string;
  type: string;
  timestamp: number;
  [field: string]: unknown;
}

export interface ActivityPage {
  activities: Activity[];
  next?: string;
}

/** What a "forget me" removed where (proxy/routes/customerio/privacy.ts). */
export interface Forgotten {
  customer: string;
  deleted: true;
  removed: { customerio: string; dynamodb: Record<string, number> };
  retained: string;
}

/** A Customer.io reporting webhook's signature headers (X-CIO-Timestamp, X-CIO-Signature). */
export interface WebhookSignature {
  timestamp: string;
  signature: string;
}

const customer = (id: string, rest = '') => `/customers/${encodeURIComponent(id)}${rest}`;

export class CustomerioApi {
  constructor(private readonly t: Transport) {}

  trackEvent = (who: string, event: AppEvent) => this.t.send<object>({ method: 'POST', path: customer(who, '/events'), json: event });
  setAttributes = (who: string, attributes: Record<string, unknown>) => this.t.send<object>({ method: 'PUT', path: customer(who, '/attributes'), json: attributes });
  putDevice = (who: string, device: Device) => this.t.send<object>({ method: 'PUT', path: customer(who, '/devices'), json: { device } });
  deleteDevice = (who: string, deviceId: string) => this.t.send<object>({ method: 'DELETE', path: customer(who, `/devices/${encodeURIComponent(deviceId)}`) });
  trackAnonymousEvent = (event: AppEvent & { anonymous_id: string }) => this.t.send<object>({ method: 'POST', path: '/events', json: event });
  reportPushEvent = (m: { delivery_id: string; event: PushMetric; device_id?: string; timestamp?: number }) => this.t.send<object>({ method: 'POST', path: '/push/events', json: m });
  reportMetric = (m: { delivery_id: string; metric: Metric; timestamp?: number; recipient?: string; reason?: string; href?: string }) =>
    this.t.send<object>({ method: 'POST', path: '/metrics', json: m });
  sendEmail = (send: TransactionalSend) => this.t.send<Delivery>({ method: 'POST', path: '/send/email', json: send });
  sendPush = (send: TransactionalSend) => this.t.send<Delivery>({ method: 'POST', path: '/send/push', json: send });
  triggerBroadcast = (broadcastId: number, data: Record<string, unknown> = {}) =>
    this.t.send<{ id: number }>({ method: 'POST', path: `/campaigns/${broadcastId}/triggers`, json: { data } });
  activities = (who: string, query: { type?: string; name?: string; start?: string; limit?: number } = {}) =>
    this.t.send<ActivityPage>({ method: 'GET', path: customer(who, '/activities'), query });
  registerDevice = (device: Device) => this.t.send<object>({ method: 'POST', path: '/api/v1/cio/device', json: { device } });
  notificationReceived = (n: { notification_id: string; fcm_token?: string }) => this.t.send<object>({ method: 'POST', path: '/api/v1/cio/notification_received', json: n });
  notificationOpened = (n: { notification_id: string; fcm_token?: string }) => this.t.send<object>({ method: 'POST', path: '/api/v1/notification_opened', json: n });
  suppress = (who: string) => this.t.send<{ customer: string; suppressed: boolean }>({ method: 'POST', path: customer(who, '/suppress') });
  unsuppress = (who: string) => this.t.send<{ customer: string; suppressed: boolean }>({ method: 'POST', path: customer(who, '/unsuppress') });
  forget = (who: string) => this.t.send<Forgotten>({ method: 'DELETE', path: customer(who) });
  /** Customer.io's side: a reporting webhook as it posts one (the event as JSON, its signature in headers). */
  reportingWebhook = (event: unknown, sig: WebhookSignature) => this.t.send<{ received: boolean; stored: boolean; suppressed: boolean }>({
    method: 'POST', path: '/webhooks/customerio', json: event, headers: { 'x-cio-timestamp': sig.timestamp, 'x-cio-signature': sig.signature },
  });
}
