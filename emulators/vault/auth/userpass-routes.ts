/**
 * The userpass auth method at any mount (https://developer.hashicorp.com/vault/api-docs/auth/userpass): users
 * with a password (kept as a scrypt hash, never returned) and token settings, and login/:username. Usernames are
 * lower-cased as Vault stores them.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { inCidrs } from '../cidr.ts';
import { coreError, respError } from '../errors.ts';
import type { BackendDef, Ctx, Resp } from '../route-types.ts';
import { authBlock } from '../tokens/describe.ts';
import { UserLockout } from './lockout.ts';
import { defaultTokenParams, parseTokenFields, tokenData, TOKEN_FIELDS, type TokenParams } from './token-params.ts';

interface User {
  name: string;
  hash: Buffer;
  salt: Buffer;
  token: TokenParams;
}

export interface UserpassEngine {
  users: Map<string, User>;
  lockout: UserLockout;
}

const eng = (ctx: Ctx): UserpassEngine => ctx.mount.engine as UserpassEngine;
const USER = 'users/(?<username>\\w(?:[\\w-.@]*\\w)?)';
const name = (ctx: Ctx): string => ctx.params.username.toLowerCase();

/** A local fake needs a one-way hash, not a slow one: scrypt at a low cost keeps logins and writes quick. */
const hash = (password: string, salt: Buffer): Buffer => scryptSync(password, salt, 32, { N: 1024 });

function setPassword(u: User, password: string): void {
  u.salt = randomBytes(16);
  u.hash = hash(password, u.salt);
}

export const USERPASS_BACKEND: BackendDef = {
  unauthenticated: ['login/*'],
  paths: [
    { pattern: /^users\/?$/, help: 'Manage users allowed to authenticate.', ops: { list: (ctx) => ({ data: { keys: [...eng(ctx).users.keys()].sort() } }) } },
    {
      pattern: new RegExp(`^${USER}$`),
      fields: { ...TOKEN_FIELDS, username: { type: 'string' }, password: { type: 'string' } },
      exists: (ctx) => eng(ctx).users.has(name(ctx)),
      help: 'Manage users allowed to authenticate.',
      ops: {
        write: (ctx) => {
          const existing = eng(ctx).users.get(name(ctx));
          const u: User = existing ? structuredClone(existing) : { name: name(ctx), hash: Buffer.alloc(0), salt: Buffer.alloc(0), token: defaultTokenParams() };
          const password = ctx.data.get<string>('password');
          // path_users.go userCreateUpdate.
          if (!existing && password === '') throw respError('missing password');
          if (password !== '') setPassword(u, password);
          parseTokenFields(u.token, ctx.data);
          eng(ctx).users.set(u.name, u);
          return null;
        },
        read: (ctx) => {
          const u = eng(ctx).users.get(name(ctx));
          return u ? { data: tokenData(u.token) } : null;
        },
        delete: (ctx) => (eng(ctx).users.delete(name(ctx)), null),
      },
    },
    {
      pattern: new RegExp(`^${USER}/password$`),
      fields: { username: { type: 'string' }, password: { type: 'string' } },
      help: 'Reset user\'s password.',
      ops: {
        update: (ctx) => {
          const u = eng(ctx).users.get(name(ctx));
          // path_user_password.go.
          if (!u) throw respError('username does not exist');
          const password = ctx.data.get<string>('password');
          if (password === '') throw respError('missing password');
          setPassword(u, password);
          return null;
        },
      },
    },
    {
      pattern: new RegExp(`^${USER}/policies$`),
      fields: { username: { type: 'string' }, policies: { type: 'comma-string-slice' }, token_policies: { type: 'comma-string-slice' } },
      help: 'Update the policies associated with the username.',
      ops: {
        update: (ctx) => {
          const u = eng(ctx).users.get(name(ctx));
          if (!u) throw respError('username does not exist');
          parseTokenFields(u.token, ctx.data);
          return null;
        },
      },
    },
    {
      pattern: /^login\/(?<username>.+)$/,
      fields: { username: { type: 'string' }, password: { type: 'string' } },
      help: 'Log in with a username and password.',
      ops: { update: login },
    },
  ],
};

function login(ctx: Ctx): Resp {
  const { users, lockout } = eng(ctx);
  const username = ctx.params.username.toLowerCase();
  const password = ctx.data.get<string>('password');
  // path_login.go: a missing password is a plain error (500 on a login request).
  if (password === '') throw coreError('missing password', 500);
  if (lockout.isLocked(username)) throw respError('permission denied', 403);
  const u = users.get(username);
  const ok = u && u.hash.length > 0 && timingSafeEqual(hash(password, u.salt), u.hash);
  if (!u || !ok) {
    if (u) lockout.failed(username);
    // path_login.go: returned with ErrInvalidCredentials.
    throw respError('invalid username or password');
  }
  lockout.succeeded(username);
  // path_login.go: a user's token_bound_cidrs also bind the login itself (logical.ErrPermissionDenied).
  if (!inCidrs(ctx.req.remoteAddress, u.token.token_bound_cidrs)) throw respError('permission denied', 403);
  const { token, warnings } = ctx.state.loginToken(ctx.mount, {
    policies: u.token.token_policies, noDefaultPolicy: u.token.token_no_default_policy, ttl: u.token.token_ttl, maxTtl: u.token.token_max_ttl,
    period: u.token.token_period, explicitMaxTtl: u.token.token_explicit_max_ttl, numUses: u.token.token_num_uses, meta: { username }, displayName: `userpass-${username}`,
    boundCidrs: u.token.token_bound_cidrs,
    renewWith: () => {
      const current = users.get(username);
      if (!current) throw coreError('user no longer exists', 500);
      return { ttl: current.token.token_ttl, maxTtl: current.token.token_max_ttl, period: current.token.token_period, explicitMaxTtl: current.token.token_explicit_max_ttl };
    },
  });
  return { auth: authBlock(token, token.creationTtl), warnings, wrappedAccessor: token.accessor };
}
