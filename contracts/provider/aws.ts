/**
 * Provider verification of the proxy's AWS pact against the embedded AWS edge (emulators/aws/edge.ts, port 0),
 * so the edge cannot drift from what the proxy's AWS calls rely on. The edge enforces SigV4 like AWS: every
 * replayed example is signed again with the edge's credentials (aws-resign.ts); `verifyAwsEdge(file, {resign:
 * false})` shows the edge refusing the examples as they are.
 */
import '../support/pact-env.ts';
import { Verifier } from '@pact-foundation/pact';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import { PACT_LOG_LEVEL, PARTICIPANTS } from '../support/pact-env.ts';
import { resignSigV4 } from './aws-resign.ts';
import { awsStateHandlers, edgeClients } from './aws-states.ts';
import { adminReset } from './fakes.ts';

/** The edge's local, fake credentials for this run. */
const EDGE_CREDENTIALS = { accessKeyId: 'AKIAEDGECONTRACTS000', secretAccessKey: 'edge-secret-for-contracts-only' };
const REGION = 'us-east-1';

export async function verifyAwsEdge(pactFile: string, o: { resign?: boolean } = {}): Promise<string> {
  const edge = await startAwsEdge({ port: 0, region: REGION, credentials: { [EDGE_CREDENTIALS.accessKeyId]: EDGE_CREDENTIALS.secretAccessKey } });
  const clients = edgeClients({ endpoint: edge.url, region: REGION, credentials: EDGE_CREDENTIALS });
  const requestFilter = (req: IncomingMessage, _res: ServerResponse, next: (e?: unknown) => void) => {
    if (o.resign === false) return next();
    resignSigV4(req, EDGE_CREDENTIALS).then(() => next(), next);
  };
  try {
    return await new Verifier({
      provider: PARTICIPANTS.aws,
      providerBaseUrl: edge.url,
      pactUrls: [pactFile],
      stateHandlers: awsStateHandlers(clients),
      beforeEach: () => adminReset(edge.url),
      requestFilter: requestFilter as never,
      logLevel: PACT_LOG_LEVEL,
      publishVerificationResult: false,
      providerVersion: process.env.GIT_COMMIT ?? 'local',
    }).verifyProvider();
  } finally {
    Object.values(clients).forEach((c) => c.destroy());
    await edge.close();
  }
}
