/**
 * Signed raw S3 requests for hostile-input tests: SigV4 over exactly the bytes given (the SDK's own checks and
 * serializers bypassed), and the shape every refusal must have — S3's XML <Error> with a 4xx (or S3's own 501), never
 * a 500.
 */
import { expect } from 'chai';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import type { AwsTarget } from './aws.ts';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawOptions {
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send without a signature (an anonymous request). */
  unsigned?: boolean;
}

export function rawS3(t: AwsTarget) {
  return async function call(method: string, path: string, opts: RawOptions = {}): Promise<Answer> {
    const url = new URL(t.endpoint);
    const body = opts.body ?? '';
    const base = { host: url.host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...opts.headers };
    const headers = opts.unsigned ? { host: url.host, ...opts.headers } : (await new SignatureV4({ service: 's3', region: t.region, credentials: t.credentials, sha256: Sha256, uriEscapePath: false }).sign({
      method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query: opts.query ?? {}, headers: base, body,
    })).headers;
    const qs = new URLSearchParams(opts.query ?? {}).toString().replace(/\+/g, '%20');
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method, path: qs ? `${path}?${qs}` : path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  };
}

/** A refusal in S3's shape: an XML <Error> with a code, and a status S3 uses for it (never 500). */
export function expectRefusal(a: Answer, what: string): void {
  expect(a.status, `${what}: ${a.body}`).to.be.within(400, 599);
  expect(a.status, `${what} is not a crash`).to.not.equal(500);
  expect(a.body, what).to.match(/<Error><Code>[A-Za-z.]+<\/Code>/);
}
