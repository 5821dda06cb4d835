import type { Deps } from '../../core/types.ts';
import type { CustomerioClient } from './client.ts';
import type { CustomerioConfig } from './config.ts';
import type { ReplayCache } from '../../auth/mailgun-webhook.ts';
import type { PersonalData } from './personal-data.ts';
import type { PrivacyConfig } from './privacy-config.ts';
import type { WebhookEvents } from './webhook-events.ts';

export interface CustomerioServices {
  cio: CustomerioClient;
  cfg: CustomerioConfig;
}

/** The group's services, registered under `deps.services.customerio` by the function that builds the app. */
export const cioOf = (deps: Deps): CustomerioServices => deps.services.customerio as CustomerioServices;

/** The privacy routes' services (seed 001): personal data in Gatehouse's tables, webhook events, replay cache. */
export interface PrivacyServices {
  cfg: PrivacyConfig;
  /** The webhook signing keys as the secret chain holds them now. */
  webhookKeys(): string[];
  data: PersonalData;
  events: WebhookEvents;
  replays: ReplayCache;
}

export const privacyOf = (deps: Deps): PrivacyServices => deps.services.privacy as PrivacyServices;
