/**
 * Consumer interactions whose request body is an HTML form (application/x-www-form-urlencoded), as Mailgun's
 * messages API takes it. pact-js's request builder offers JSON, XML, multipart and opaque bodies; an opaque body is
 * matched by its content type alone, which would let any form through. pact_ffi's `with_body`, given this content
 * type and a JSON description with matchers, builds a real form body and matches it field by field (pact_ffi
 * mock_server/form_urlencoded.rs; unexpected and missing fields are mismatches) — so the runner hands it that.
 * Otherwise it runs an interaction exactly as `runInteraction` does (same states, verdict and error checks).
 */
import '../../support/pact-env.ts';
import { expect } from 'chai';
import { MatchersV3 as M, PactV4, type V3MockServer as V4MockServer } from '@pact-foundation/pact';
import { PACT_LOG_LEVEL } from '../../support/pact-env.ts';
import type { InteractionSpec } from '../interaction.ts';
import { mockServerSettled } from '../mock-server-settled.ts';

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface FormInteractionSpec<C> extends Omit<InteractionSpec<C>, 'body' | 'call'> {
  /** Field name → value or matcher; an array is a repeated field (`to=a&to=b`). */
  form: Record<string, unknown>;
  /** Sends the request through the client under test; `form` is the template's example. */
  call(client: C, form: Record<string, string | string[]>): Promise<unknown>;
}

export interface FormConsumerPact<C> {
  consumer: string;
  provider: string;
  interactions: FormInteractionSpec<C>[];
  clientFor(mock: V4MockServer): C;
}

/** An array field with at least `min` values, each example kept (eachLike would repeat the first). */
export const atLeast = (min: number, items: unknown[]) => ({ 'pact:matcher:type': 'type', min, value: items });

export function describeFormPact<C>(pact: FormConsumerPact<C>, dir: () => string): void {
  describe(`${pact.consumer} → ${pact.provider}`, () => {
    let p: PactV4;
    before(() => {
      p = new PactV4({ consumer: pact.consumer, provider: pact.provider, dir: dir(), logLevel: PACT_LOG_LEVEL });
    });
    for (const spec of pact.interactions) {
      it(`${spec.uponReceiving} (given ${spec.given.join(', ')})`, () => runFormInteraction(p, spec, pact.clientFor));
    }
  });
}

/** The builder keeps its FFI interaction protected; `with_body` on it is the documented FFI call. */
const formBody = (b: object, form: Record<string, unknown>) =>
  (b as unknown as { interaction: { withRequestBody(body: string, contentType: string): boolean } }).interaction.withRequestBody(JSON.stringify(form), FORM_CONTENT_TYPE);

async function runFormInteraction<C>(pact: PactV4, spec: FormInteractionSpec<C>, clientFor: (mock: V4MockServer) => C): Promise<void> {
  let i = pact.addInteraction();
  for (const state of spec.given) i = i.given(state);
  const ready = i.uponReceiving(spec.uponReceiving).withRequest(spec.method, spec.path, (b) => {
    if (spec.headers) b.headers(spec.headers);
    formBody(b, spec.form);
  }).willRespondWith(spec.status, (b) => {
    if (spec.responseHeaders) b.headers(spec.responseHeaders);
    if (spec.responseBody !== undefined) b.jsonBody(spec.responseBody);
  });
  await ready.executeTest(async (mock) => {
    const example = M.reify(spec.form) as Record<string, string | string[]>;
    const outcome = await spec.call(clientFor(mock), example).then((value) => ({ value }), (error: unknown) => ({ error }));
    await mockServerSettled(mock.port);
    if (spec.errorCode) {
      expect(outcome, `expected ${spec.uponReceiving} to fail`).to.have.property('error');
      const err = (outcome as { error: { status?: number; code?: string } }).error;
      expect({ status: err.status, code: err.code }).to.deep.equal({ status: spec.errorStatus ?? spec.status, code: spec.errorCode });
    } else {
      if ('error' in outcome) throw outcome.error;
      if (spec.responseBody !== undefined) expect(outcome.value).to.deep.equal(M.reify(spec.responseBody));
    }
  });
}
