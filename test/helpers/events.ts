/** Build Lambda events of each flavour from one plain HTTP description (used by adapter and route tests). */
import type { ApiGatewayV1Event } from '../../proxy/adapters/lambda/api-gateway-v1.ts';
import type { ApiGatewayV2Event } from '../../proxy/adapters/lambda/api-gateway-v2.ts';
import { toEvent as buildEvent, type Flavour } from '../../emulators/apigw/events.ts';

// One event builder for everything: the local API Gateway emulator sends exactly these events.
export { FLAVOURS, type Flavour } from '../../emulators/apigw/events.ts';

export interface PlainRequest {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

export function toEvent(flavour: Flavour, r: PlainRequest): ApiGatewayV1Event | ApiGatewayV2Event {
  return buildEvent(flavour, { ...r, base64: !!r.base64, sourceIp: '203.0.113.9', requestId: `req-${flavour}` });
}

/** Decode a Lambda result body back to bytes. */
export function resultBody(res: { body: string; isBase64Encoded: boolean }): Buffer {
  return res.isBase64Encoded ? Buffer.from(res.body, 'base64') : Buffer.from(res.body, 'utf8');
}
