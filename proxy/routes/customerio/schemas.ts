/**
 * JSON Schemas for what the mobile app may send, per route. Field names follow Customer.io's Track and App API
 * docs (https://docs.customer.io/api/track/, https://docs.customer.io/api/app/).
 */
const id = { type: 'string', minLength: 1, maxLength: 150 };
const timestamp = { type: 'integer', minimum: 0 };
const attributes = { type: 'object', maxProperties: 300 };

export const eventSchema = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    id: { type: 'string', minLength: 1, maxLength: 64 },
    type: { enum: ['event', 'page', 'screen'] },
    timestamp,
    data: { type: 'object' },
  },
};

export const anonymousEventSchema = {
  ...eventSchema,
  required: ['name', 'anonymous_id'],
  properties: { ...eventSchema.properties, anonymous_id: id },
};

export const attributesSchema = { ...attributes, properties: { email: { type: 'string', maxLength: 254 }, created_at: timestamp } };

const platform = { enum: ['ios', 'android'] };

export const deviceSchema = {
  type: 'object',
  required: ['device'],
  properties: {
    device: {
      type: 'object',
      required: ['id', 'platform'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 4096 }, platform, last_used: timestamp, attributes: { type: 'object' } },
    },
  },
};

// Push metrics (POST /api/v1/push/events, "Report push metrics", deprecated in favour of /metrics): opened, converted, delivered.
export const pushEventSchema = {
  type: 'object',
  required: ['delivery_id', 'event'],
  properties: { delivery_id: id, event: { enum: ['delivered', 'opened', 'converted'] }, device_id: { type: 'string' }, timestamp },
};

// Universal metrics endpoint (POST /api/v1/metrics, "Report metrics"): the field is `metric`, not `event`.
export const metricSchema = {
  type: 'object',
  required: ['delivery_id', 'metric'],
  properties: {
    delivery_id: id,
    metric: { enum: ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'] },
    timestamp,
    recipient: { type: 'string' },
    reason: { type: 'string' },
    href: { type: 'string' },
  },
};

const identifiers = {
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  properties: { id, email: { type: 'string' }, cio_id: id },
};

/** Transactional email and push take the same envelope (App API "Send a transactional message"). */
export const sendEmailSchema = {
  type: 'object',
  required: ['transactional_message_id', 'identifiers'],
  properties: {
    transactional_message_id: { type: ['string', 'integer'] },
    identifiers,
    to: { type: 'string' },
    message_data: { type: 'object' },
  },
};

export const sendPushSchema = sendEmailSchema;

export const triggerSchema = { type: 'object', properties: { data: { type: 'object' } } };

export const deviceRegistrationSchema = deviceSchema;

export const notificationReceivedSchema = {
  type: 'object',
  required: ['notification_id'],
  properties: { notification_id: id, fcm_token: { type: 'string', maxLength: 4096 } },
};

export const notificationOpenedSchema = {
  type: 'object',
  required: ['notification_id'],
  properties: { notification_id: id, fcm_token: { type: 'string', minLength: 1, maxLength: 4096 } },
};
