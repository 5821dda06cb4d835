/** The mail route group (seed 002 + webhook checks from seed 001). */
import type { Middleware, RouteDef } from '../../core/types.ts';
import { mailStatus, sendMail } from './send.ts';
import { mailgunWebhook } from './webhooks.ts';

export function mailRoutes(auth: Middleware): RouteDef[] {
  return [
    { method: 'POST', path: '/send-mail', handler: sendMail, middleware: [auth], summary: 'Send a campaign through Mailgun with signed report links' },
    { method: 'GET', path: '/send-mail/:id', handler: mailStatus, middleware: [auth], summary: 'Delivery status per recipient of a sent message' },
    { method: 'POST', path: '/webhooks/mailgun', handler: mailgunWebhook, middleware: [auth], summary: 'Mailgun event webhooks (signed)' },
  ];
}
