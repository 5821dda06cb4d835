/**
 * Admin API of the fake's reporting webhooks, mounted under /__admin beside the shared routes:
 *   GET  /__admin/webhooks        settings (signing key never shown), backlog, attempts, delivered/given-up counts
 *   PUT  /__admin/webhooks        {"url"?, "metrics"?, "timeoutMs"?, "firstRetryMs"?, "maxRetryMs"?, "holdMs"?, "giveUpMs"?}
 *                                 ("url": null turns sending off)
 *   POST /__admin/webhooks/emit   {"delivery_id", "metric", "reason"?, "href"?}: report a metric of a delivery, as an
 *                                 ESP or a device would (a bounce, a spam complaint, a click), and send its webhook
 *   POST /__admin/webhooks/retry  retry the head of the backlog now
 */
import type { Router } from 'express';
import { CioError } from './errors.ts';
import { DELIVERY_METRICS } from './reporting.ts';
import type { CustomerioState } from './state.ts';
import type { WebhookSender, WebhookSettings } from './webhooks.ts';

const DURATIONS = ['timeoutMs', 'firstRetryMs', 'maxRetryMs', 'holdMs', 'giveUpMs'] as const;

export function webhookAdmin(router: Router, state: CustomerioState, sender: WebhookSender): void {
  router.get('/webhooks', (_req, res) => res.json(sender.snapshot()));
  router.put('/webhooks', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const change: Partial<WebhookSettings> = {};
    if ('url' in b) {
      if (b.url !== null && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url))) return void res.status(400).json({ error: 'url must be an http(s) URL or null' });
      change.url = (b.url as string | null) ?? undefined;
    }
    if ('metrics' in b) {
      if (b.metrics !== null && !(Array.isArray(b.metrics) && b.metrics.every((m) => typeof m === 'string'))) return void res.status(400).json({ error: 'metrics must be a list of metric names or null' });
      change.metrics = (b.metrics as string[] | null) ?? undefined;
    }
    for (const k of DURATIONS) {
      if (!(k in b)) continue;
      if (!Number.isInteger(b[k]) || (b[k] as number) < 0 || (b[k] as number) > 30 * 86_400_000) return void res.status(400).json({ error: `${k} must be a whole number of milliseconds up to 30 days` });
      change[k] = b[k] as number;
    }
    sender.configure(change);
    res.json(sender.snapshot());
  });
  router.post('/webhooks/emit', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.delivery_id !== 'string' || !b.delivery_id) return void res.status(400).json({ error: 'delivery_id is required' });
    if (typeof b.metric !== 'string' || !(DELIVERY_METRICS as readonly string[]).includes(b.metric)) return void res.status(400).json({ error: `metric must be one of ${DELIVERY_METRICS.join(', ')}` });
    try {
      const d = state.reportDelivery(b.delivery_id, b.metric, { reason: typeof b.reason === 'string' ? b.reason : undefined, href: typeof b.href === 'string' ? b.href : undefined });
      res.status(202).json({ delivery_id: d.deliveryId, metric: b.metric });
    } catch (e) {
      if (e instanceof CioError) return void res.status(e.status).json({ error: e.message });
      throw e;
    }
  });
  router.post('/webhooks/retry', (_req, res) => {
    sender.retryNow();
    res.json(sender.snapshot());
  });
}
