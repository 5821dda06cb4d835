/** Everything a console handler may use, built once when the console starts (index.ts). */
import type { AwsClients } from './aws-clients.ts';
import type { ConsoleConfig, StackLink } from './config.ts';
import type { EventHub } from './events.ts';
import type { ReplayJobs } from './replay-jobs.ts';
import type { StackClient } from './stack-client.ts';
import type { TraceFeed } from './traces.ts';

export interface ConsoleDeps {
  config: ConsoleConfig;
  /** The supervisor: status and reset. */
  stack: StackLink;
  /** HTTP to the stack's services (their /__admin APIs, Vault's API). */
  fakes: StackClient;
  aws: AwsClients;
  events: EventHub;
  traces: TraceFeed;
  replays: ReplayJobs;
  /** Requests the console has served (its own row in the stack view). */
  requests(): number;
  /** The console's own origin (scheme, host, port), once it listens. */
  origin(): string;
}
