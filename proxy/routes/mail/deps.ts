import type { Deps } from '../../core/types.ts';
import type { MailConfig } from './config.ts';
import type { MailgunSender } from './mailgun.ts';
import type { LinkSigner } from './links.ts';
import type { Deliveries } from './deliveries.ts';
import type { SendRecords } from './send-records.ts';
import type { ReportStore } from '../reports/store.ts';
import type { ReplayCache } from '../../auth/mailgun-webhook.ts';

export interface MailServices {
  cfg: MailConfig;
  mailgun: MailgunSender;
  links: LinkSigner;
  deliveries: Deliveries;
  /** /send-mail idempotency records. */
  records: SendRecords;
  reports: ReportStore;
  replays: ReplayCache;
}

/** The group's services, registered under `deps.services.mail` by the function that builds the app. */
export const mailOf = (deps: Deps): MailServices => deps.services.mail as MailServices;
