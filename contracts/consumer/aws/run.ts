/**
 * The AWS pact's consumer tests: each flow registers the interactions one call of the proxy's own code makes
 * (usually one, a few when the code makes several requests), points the SDK clients at the Pact mock server and
 * runs that code; Pact fails the test on any request the interactions do not allow or do not receive.
 */
import '../../support/pact-env.ts';
import { expect } from 'chai';
import { PactV4, type Path, type TemplateHeaders, type TemplateQuery } from '@pact-foundation/pact';
import { PACT_LOG_LEVEL, PARTICIPANTS } from '../../support/pact-env.ts';
import { mockServerSettled } from '../mock-server-settled.ts';
import { answerWith, jsonText, type JsonText } from './json-text.ts';

export interface AwsInteraction {
  given: string[];
  uponReceiving: string;
  method: string;
  path: Path;
  query?: TemplateQuery;
  headers: TemplateHeaders;
  /** A JSON protocol request body: plain values and V3 matchers, in the SDK's member order (json-text.ts). */
  body?: unknown;
  status: number;
  responseHeaders?: TemplateHeaders;
  /** A JSON answer (its example) … */
  json?: unknown;
  /** … and the member of it the proxy reads, which the provider's answer must have. */
  reads?: string;
  /** … or an XML answer built with Pact's XmlBuilder (S3). */
  xml?: string;
  /** Extra rules for the XML answer, keyed by path as Pact's core writes them. */
  xmlRules?: Record<string, unknown>;
}

export interface AwsFlow {
  /** The proxy code that makes the calls, as the test title. */
  title: string;
  interactions: AwsInteraction[];
  /** Runs the proxy's code with its AWS clients pointed at `endpoint`; returns what that code made of the answers. */
  run(endpoint: string): Promise<unknown>;
  /** What the proxy code must have read from the example answers. */
  expected: unknown;
}

/** Pact's core under pact-js's builders: text bodies under their own content type, with a rule at `$`. */
interface BodyFfi {
  withRequestBody(body: string, type: string): boolean;
  withResponseBody(body: string, type: string): boolean;
  withRequestMatchingRules(rules: string): boolean;
  withResponseMatchingRules(rules: string): boolean;
}
const ffi = (builder: object) => (builder as unknown as { interaction: BodyFfi }).interaction;
const contentType = (h: TemplateHeaders) => {
  const v = (h as Record<string, unknown>)['content-type'];
  return typeof v === 'string' ? v : String((v as { value?: string } | undefined)?.value ?? 'application/json');
};
const wholeBody = (t: JsonText) => JSON.stringify({ body: { $: { matchers: [{ match: 'regex', regex: t.regex }] } } });

function register(p: PactV4, spec: AwsInteraction) {
  let i = p.addInteraction();
  for (const state of spec.given) i = i.given(state);
  return i.uponReceiving(spec.uponReceiving)
    .withRequest(spec.method, spec.path, (b) => {
      if (spec.query) b.query(spec.query);
      b.headers(spec.headers);
      if (spec.body === undefined) return;
      const t = jsonText(spec.body);
      ffi(b).withRequestBody(t.example, contentType(spec.headers));
      ffi(b).withRequestMatchingRules(wholeBody(t));
    })
    .willRespondWith(spec.status, (b) => {
      if (spec.responseHeaders) b.headers(spec.responseHeaders);
      if (spec.json !== undefined) {
        const t = answerWith(spec.json, spec.reads);
        ffi(b).withResponseBody(t.example, contentType(spec.responseHeaders ?? {}));
        ffi(b).withResponseMatchingRules(wholeBody(t));
      }
      if (spec.xml !== undefined) b.xmlBody(spec.xml);
      if (spec.xmlRules) ffi(b).withResponseMatchingRules(JSON.stringify({ body: spec.xmlRules }));
    });
}

export async function runFlow(p: PactV4, flow: AwsFlow): Promise<void> {
  // Interactions added before executeTest share one mock server (PactV4 resets its handle only after a test).
  const ready = flow.interactions.map((spec) => register(p, spec)).at(-1)!;
  await ready.executeTest(async (mock) => {
    const result = await flow.run(mock.url);
    await mockServerSettled(mock.port);
    expect(result).to.deep.equal(flow.expected);
  });
}

export function describeAwsPact(flows: AwsFlow[], dir: () => string): void {
  describe(`${PARTICIPANTS.proxy} → ${PARTICIPANTS.aws}`, () => {
    let p: PactV4;
    before(() => {
      p = new PactV4({ consumer: PARTICIPANTS.proxy, provider: PARTICIPANTS.aws, dir: dir(), logLevel: PACT_LOG_LEVEL });
    });
    for (const flow of flows) it(flow.title, () => runFlow(p, flow));
  });
}
