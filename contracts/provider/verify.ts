/**
 * One way to run a provider verification: the pact file(s), the provider's base URL, its state handlers and an
 * optional request filter that swaps example credentials for real ones (or rewrites more: a body, a signature).
 * Local only: no broker, nothing published.
 */
import '../support/pact-env.ts';
import { Verifier, type VerifierOptions } from '@pact-foundation/pact';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PACT_LOG_LEVEL } from '../support/pact-env.ts';

/** Provider-state name → setup function (may return values the pact injects, e.g. `cardId`). */
export type StateHandlers = NonNullable<VerifierOptions['stateHandlers']>;

/** Headers to set on a request before it reaches the provider (undefined: leave the request as it is). */
export type CredentialSwap = (headers: IncomingMessage['headers']) => void;

export interface Verification {
  provider: string;
  providerBaseUrl: string;
  pactFiles: string[];
  stateHandlers: StateHandlers;
  /** Runs before the first state of every interaction: put the provider back to a known state. */
  beforeEach?: () => Promise<void>;
  swapCredentials?: CredentialSwap;
  /**
   * Anything else to change before the request reaches the provider, after the credential swap: a body the
   * verifier's proxy re-serialised, a signature over the final request. `req.body` is the verifier's parsed body.
   */
  rewrite?: (req: IncomingMessage & { body?: unknown }) => void | Promise<void>;
}

export async function verifyProvider(v: Verification): Promise<string> {
  const requestFilter = (req: IncomingMessage, _res: ServerResponse, next: (e?: unknown) => void) => {
    // State-change calls carry no credentials; only the interactions' own requests are touched.
    v.swapCredentials?.(req.headers);
    if (!v.rewrite) return next();
    Promise.resolve(v.rewrite(req)).then(() => next(), next);
  };
  const verifier = new Verifier({
    provider: v.provider,
    providerBaseUrl: v.providerBaseUrl,
    pactUrls: v.pactFiles,
    stateHandlers: v.stateHandlers,
    beforeEach: v.beforeEach,
    requestFilter: requestFilter as never,
    logLevel: PACT_LOG_LEVEL,
    publishVerificationResult: false,
    providerVersion: process.env.GIT_COMMIT ?? 'local',
  });
  return verifier.verifyProvider();
}
