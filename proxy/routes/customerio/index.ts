/** The Customer.io route group (seed 000): which path goes to which handler, and what the group needs. */
import type { Middleware, RouteDef } from '../../core/types.ts';
import * as track from './track.ts';
import * as app from './app-api.ts';
import * as mobile from './mobile.ts';
import * as privacy from './privacy.ts';
import { customerioWebhook } from './webhook.ts';

export function customerioRoutes(auth: Middleware): RouteDef[] {
  const r = (method: string, path: string, handler: RouteDef['handler'], summary: string): RouteDef => ({ method, path, handler, summary, middleware: [auth] });
  return [
    r('POST', '/customers/:identifier/events', track.customerEvent, 'Track a customer event (Track API)'),
    r('PUT', '/customers/:identifier/attributes', track.customerAttributes, 'Set customer attributes (Track API identify)'),
    r('PUT', '/customers/:identifier/devices', track.customerDevice, 'Add or update a device (Track API)'),
    r('DELETE', '/customers/:identifier/devices/:deviceId', track.deleteCustomerDevice, 'Delete a device (Track API)'),
    r('POST', '/events', track.anonymousEvent, 'Track an anonymous event (Track API)'),
    r('POST', '/push/events', track.pushEvent, 'Report a push metric (Track API)'),
    r('POST', '/metrics', track.metric, 'Report a message metric (Track API universal metrics)'),
    r('POST', '/send/email', app.sendEmail, 'Send a transactional email to oneself (App API)'),
    r('POST', '/send/push', app.sendPush, 'Send a transactional push to oneself (App API)'),
    r('POST', '/campaigns/:broadcastId/triggers', app.triggerBroadcast, 'Trigger an allowed API broadcast (App API)'),
    r('GET', '/customers/:identifier/activities', app.customerActivities, 'List one\'s activities (App API)'),
    r('POST', '/api/v1/cio/device', mobile.registerDevice, 'Register the app\'s push device'),
    r('POST', '/api/v1/cio/notification_received', mobile.notificationReceived, 'Report a push notification delivered'),
    r('POST', '/api/v1/notification_opened', mobile.notificationOpened, 'Report a push notification opened'),
    r('POST', '/customers/:identifier/suppress', privacy.suppressCustomer, 'Suppress oneself: profile deleted, identifier blocked (Track API)'),
    r('POST', '/customers/:identifier/unsuppress', privacy.unsuppressCustomer, 'Unsuppress oneself (Track API)'),
    r('DELETE', '/customers/:identifier', privacy.deleteCustomer, 'Forget me: Customer.io profile and Gatehouse\'s own records of oneself'),
    // Raw bytes: the signature covers the body exactly as sent, so it is verified before anything parses it.
    { ...r('POST', '/webhooks/customerio', customerioWebhook, 'Customer.io reporting webhooks (signed)'), json: false },
  ];
}
