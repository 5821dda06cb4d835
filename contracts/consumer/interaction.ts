/**
 * One consumer interaction as data: the provider states, the request the client sends (with matchers), the
 * answer it relies on, and the client call that must produce that request and accept that answer. `runInteraction`
 * turns it into a Pact V4 interaction and checks the client's result against it.
 *
 * A request body is JSON (`body`) or an HTML form (`form`, application/x-www-form-urlencoded, as Mailgun's messages
 * API takes it). pact-js's request builder offers JSON, XML, multipart and opaque bodies; an opaque body is matched
 * by its content type alone, which would let any form through. pact_ffi's `with_body`, given this content type and a
 * JSON description with matchers, builds a real form body and matches it field by field (pact_ffi
 * mock_server/form_urlencoded.rs; unexpected and missing fields are mismatches), so a `form` is handed to it.
 */
import { expect } from 'chai';
import { mockServerSettled } from './mock-server-settled.ts';
import { MatchersV3 as M, type PactV4, type Path, type TemplateHeaders, type TemplateQuery, type V3MockServer as V4MockServer } from '@pact-foundation/pact';

export interface InteractionSpec<C> {
  given: string[];
  uponReceiving: string;
  method: string;
  path: Path;
  query?: TemplateQuery;
  headers?: TemplateHeaders;
  body?: unknown;
  /** Field name → value or matcher; an array is a repeated field (`to=a&to=b`). Instead of `body`. */
  form?: Record<string, unknown>;
  status: number;
  responseHeaders?: TemplateHeaders;
  responseBody?: unknown;
  /** Sends the request through the client under test; `body` is the request template's (or form's) example. */
  call(client: C, body: any): Promise<unknown>;
  /** What the client must make of the answer, when that is not the answer's body itself. */
  expected?: unknown;
  /** For error interactions: the `code` the client must surface. */
  errorCode?: string;
  /** The status that error carries, when the client maps the answer's (default: the answer's status). */
  errorStatus?: number;
}

export async function runInteraction<C>(pact: PactV4, spec: InteractionSpec<C>, clientFor: (mock: V4MockServer, spec: InteractionSpec<C>) => C): Promise<void> {
  let i = pact.addInteraction();
  for (const state of spec.given) i = i.given(state);
  const withRequest = i.uponReceiving(spec.uponReceiving).withRequest(spec.method, spec.path, (b) => {
    if (spec.query) b.query(spec.query);
    if (spec.headers) b.headers(spec.headers);
    if (spec.form) formBody(b, spec.form);
    else if (spec.body !== undefined) b.jsonBody(spec.body);
  });
  const ready = withRequest.willRespondWith(spec.status, (b) => {
    if (spec.responseHeaders) b.headers(spec.responseHeaders);
    if (spec.responseBody !== undefined) b.jsonBody(spec.responseBody);
  });
  await ready.executeTest(async (mock) => {
    const template = spec.form ?? spec.body;
    const example = template === undefined ? undefined : M.reify(template);
    const outcome = await spec.call(clientFor(mock, spec), example).then((value) => ({ value }), (error: unknown) => ({ error }));
    await mockServerSettled(mock.port);
    if (spec.errorCode) {
      expect(outcome, `expected ${spec.uponReceiving} to fail`).to.have.property('error');
      const err = (outcome as { error: { status?: number; code?: string } }).error;
      expect({ status: err.status, code: err.code }).to.deep.equal({ status: spec.errorStatus ?? spec.status, code: spec.errorCode });
    } else {
      if ('error' in outcome) throw outcome.error;
      if ('expected' in spec) expect(outcome.value).to.deep.equal(spec.expected);
      else if (spec.responseBody !== undefined) expect(outcome.value).to.deep.equal(M.reify(spec.responseBody));
    }
  });
}

export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** An array field with at least `min` values, each example kept (eachLike would repeat the first). */
export const atLeast = (min: number, items: unknown[]) => ({ 'pact:matcher:type': 'type', min, value: items });

/** The builder keeps its FFI interaction protected; `with_body` on it is the documented FFI call. */
const formBody = (b: object, form: Record<string, unknown>) =>
  (b as unknown as { interaction: { withRequestBody(body: string, contentType: string): boolean } }).interaction.withRequestBody(JSON.stringify(form), FORM_CONTENT_TYPE);
