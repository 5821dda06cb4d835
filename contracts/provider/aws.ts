/**
 * Provider verification of the proxy's AWS pact against the embedded AWS edge (emulators/aws/edge.ts, port 0),
 * so the edge cannot drift from what the proxy's AWS calls rely on. The edge enforces SigV4 like AWS: every
 * replayed example is signed again with the edge's credentials (aws-resign.ts); `verifyAwsEdge(file, {resign:
 * false})` shows the edge refusing the examples as they are.
 */
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { resignSigV4 } from './aws-resign.ts';
import { awsStateHandlers, edgeClients } from './aws-states.ts';
import { adminReset } from './fakes.ts';
import { verifyProvider } from './verify.ts';

/** The edge's local, fake credentials for this run. */
const EDGE_CREDENTIALS = { accessKeyId: 'AKIAEDGECONTRACTS000', secretAccessKey: 'edge-secret-for-contracts-only' };
const REGION = 'us-east-1';

export async function verifyAwsEdge(pactFile: string, o: { resign?: boolean } = {}): Promise<string> {
  const edge = await startAwsEdge({ port: 0, region: REGION, credentials: { [EDGE_CREDENTIALS.accessKeyId]: EDGE_CREDENTIALS.secretAccessKey } });
  const clients = edgeClients({ endpoint: edge.url, region: REGION, credentials: EDGE_CREDENTIALS });
  try {
    return await verifyProvider({
      provider: PARTICIPANTS.aws,
      providerBaseUrl: edge.url,
      pactFiles: [pactFile],
      stateHandlers: awsStateHandlers(clients),
      beforeEach: () => adminReset(edge.url),
      rewrite: o.resign === false ? undefined : (req) => resignSigV4(req, EDGE_CREDENTIALS),
    });
  } finally {
    Object.values(clients).forEach((c) => c.destroy());
    await edge.close();
  }
}
