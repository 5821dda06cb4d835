/**
 * The JSON body parser for Express routes in the fakes (the shared `/__admin` API, and any fake route that takes
 * JSON): body-parser reads the bytes with its size limit, then `parseJsonWithin` applies the depth limit before
 * `JSON.parse` — `express.json()` has a size limit only, so a body nested 100,000 deep reached the state and
 * made `/__admin/state` answer "Maximum call stack size exceeded" until reset.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DEFAULT_JSON_LIMITS, parseJsonWithin, type JsonLimits } from '../../proxy/core/json-limits.ts';

/** Error passed to the router's error handler: a status below 500 and a message naming the limit. */
export class BodyError extends Error {
  readonly expose = true;
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Limits for the fakes' wire routes: the frame's raw body limit, and the default depth. */
export const FAKE_JSON_LIMITS: JsonLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: DEFAULT_JSON_LIMITS.maxDepth };

const isJson = (req: Request) => /^application\/([\w.+-]*\+)?json\b/i.test(req.headers['content-type'] ?? '');

/** Parses JSON bodies (by Content-Type) into `req.body` within `limits`; other bodies are left unread. */
export function jsonBody(limits: JsonLimits = { ...DEFAULT_JSON_LIMITS, maxBytes: 5 * 1024 * 1024 }): RequestHandler[] {
  const read = express.raw({ type: (req) => isJson(req as Request), limit: limits.maxBytes });
  const parse = (req: Request, _res: Response, next: NextFunction) => {
    if (!Buffer.isBuffer(req.body)) return next();
    // As express.json(): an empty JSON body is an empty object.
    if (req.body.length === 0) return (req.body = {}), next();
    const v = parseJsonWithin(req.body, limits);
    if (!v.ok) return next(new BodyError(v.problem === 'too_large' ? 413 : 400, v.message));
    req.body = v.value;
    next();
  };
  return [read, parse];
}
