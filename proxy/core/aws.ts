/**
 * What every route group's AWS clients share: configuration from an environment map (not process.env, so tests and
 * the stack can hand one in) and one way to turn an AWS failure into a response. `AWS_ENDPOINT_URL` is the SDK's
 * standard override (LocalStack, the embedded edge); without static keys the SDK's default chain (the Lambda
 * role) applies.
 */
import { AwsHttpHandler } from './aws-http-handler.ts';
import { ProxyError } from './errors.ts';
import { createHttpClient, UpstreamUnavailable, type HttpClient } from './http-client.ts';

export interface AwsClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Every AWS client sends through the proxy's outbound HttpClient (recording, playback, one timeout policy). */
  requestHandler: AwsHttpHandler;
}

/**
 * The one place AWS clients get their configuration. `http` is the function's outbound client (the recording
 * stack's shared one, a playback client in tests); without one, a client of its own.
 */
export function awsClientConfig(env: Record<string, string | undefined>, http: HttpClient = createHttpClient()): AwsClientConfig {
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    requestHandler: new AwsHttpHandler(http),
    ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  };
}

/** An AWS call whose failure is a dependency outage (502), not our bug; the SDK's message names no secret. */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ProxyError) throw e;
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown };
    // Not reached at all (network, timeout, no playback fixture): say which AWS upstream and why.
    const reach = err.cause instanceof UpstreamUnavailable ? { upstream: err.cause.details?.upstream, reason: err.cause.message } : {};
    throw new ProxyError(502, 'aws_unavailable', `${what} failed`, { service: what, error: err.name ?? 'Error', awsStatus: err.$metadata?.httpStatusCode, ...reach });
  }
}
