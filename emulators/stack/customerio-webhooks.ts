/**
 * The stack's Customer.io → Gatehouse wiring: the fake Customer.io posts its reporting webhooks to the gateway's
 * `/webhooks/customerio`, as the real one would reach API Gateway in production. Retries keep Customer.io's shape
 * (backlog, hold after the listed statuses, exponential backoff) on a local clock: seconds instead of an hour, so a
 * proxy that was briefly down catches up while a developer watches. PUT /__admin/webhooks on the fake changes it.
 */
import type { WebhookSender } from '../customerio/webhooks.ts';

export const LOCAL_WEBHOOK_TIMING = { firstRetryMs: 1_000, maxRetryMs: 30_000, holdMs: 5_000 };

export function wireCustomerioWebhooks(webhooks: WebhookSender, gatewayUrl: string): void {
  webhooks.configure({ url: `${gatewayUrl}/webhooks/customerio`, ...LOCAL_WEBHOOK_TIMING });
}
