/**
 * The mobile-friendly endpoints of seed 000, transformed into Track API calls: device registration becomes
 * `PUT /customers/{id}/devices`, notification received/opened become push metrics.
 */
import { passThrough } from '../../core/upstream.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import { callerId } from './identity.ts';
import * as S from './schemas.ts';
import { cioOf } from './deps.ts';

export const registerDevice: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const { device } = validateBody<{ device: { id: string; platform: string; last_used?: number; attributes?: Record<string, unknown> } }>(S.deviceRegistrationSchema, req.json);
  // An anonymous device is its own (hashed) person, keyed by its push token.
  const who = callerId(req, device.id, cfg.anonIdSalt);
  const body = { device: { ...device, last_used: device.last_used ?? Math.floor(deps.clock.now() / 1000) } };
  const res = await cio.call('track', 'PUT', `customers/${encodeURIComponent(who)}/devices`, body);
  return passThrough(res);
};

const pushMetric = (event: 'delivered' | 'opened', schema: object): Handler => async (req, deps) => {
  const { cio } = cioOf(deps);
  const body = validateBody<{ notification_id: string; fcm_token?: string }>(schema, req.json);
  const metric = {
    delivery_id: body.notification_id,
    event,
    ...(body.fcm_token ? { device_id: body.fcm_token } : {}),
    timestamp: Math.floor(deps.clock.now() / 1000),
  };
  return passThrough(await cio.call('track', 'POST', 'push/events', metric));
};

export const notificationReceived = pushMetric('delivered', S.notificationReceivedSchema);
export const notificationOpened = pushMetric('opened', S.notificationOpenedSchema);
