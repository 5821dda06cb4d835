/**
 * What the console is told when it starts (built by the supervisor from the other services' reports, services.ts)
 * and how it reaches the supervisor. It talks to nothing else: every URL here is one of the stack's own ports.
 */
import type { ServiceStatus } from '../stack/supervisor.ts';

export interface ConsoleConfig {
  port: number;
  host: string;
  /** Hostnames besides IP addresses and localhost that requests may name in Host (CONSOLE_ALLOWED_HOSTS; host-check.ts). */
  allowedHosts?: string[];
  /** The stack's state folder: the gateway's keys (replay mints JWTs with them). */
  stateDir: string;
  /** Every listener of the stack by the name `npm start` prints (gateway, proxy, customerio, mailgun, aws, …). */
  urls: Record<string, string>;
  aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  vault: { url: string; token: string };
}

/** The supervisor, as seen from the console's process (IPC questions; a test may pass its own). */
export interface StackLink {
  status(): Promise<ServiceStatus[]>;
  /** One service back to its seed (`/__admin/reset` and its wiring; the proxy restarts). */
  reset(name: string): Promise<void>;
}

/** The fakes with the shared `/__admin` API (state, journal, faults, reset). */
export const FAKES = ['customerio', 'extend', 'mailgun', 'vault', 'aws', 'cloudfront', 'gateway'] as const;
export type Fake = (typeof FAKES)[number];
