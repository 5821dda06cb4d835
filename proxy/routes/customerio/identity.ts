/**
 * Who a Customer.io request is about. An authorized caller (verified email from the gateway's signed header) is
 * identified by that email and may only touch their own profile; an anonymous caller's identifier is replaced by
 * a salted SHA-256, so anonymous traffic can never address a real person's profile.
 */
import { createHash } from 'node:crypto';
import { forbidden } from '../../core/errors.ts';
import type { RouteRequest } from '../../core/types.ts';

export function hashAnonymousId(salt: string, raw: string): string {
  return 'anon_' + createHash('sha256').update(salt).update('\0').update(raw).digest('hex');
}

/** The upstream customer identifier for a path identifier. */
export function resolveCustomer(req: RouteRequest, pathId: string, salt: string): string {
  if (req.identity) {
    if (pathId.toLowerCase() !== req.identity.email.toLowerCase()) {
      throw forbidden('identity_mismatch', 'an authorized user may only access their own profile');
    }
    return req.identity.email;
  }
  return hashAnonymousId(salt, pathId);
}

/** The identifier for routes without a path identifier (mobile endpoints): the email, or the hashed device id. */
export function callerId(req: RouteRequest, anonymousSeed: string, salt: string): string {
  return req.identity ? req.identity.email : hashAnonymousId(salt, anonymousSeed);
}
