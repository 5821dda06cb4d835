/**
 * What a rotation reports: one `secret.rotate` security audit line per step (proxy/core/audit.ts), naming key ids,
 * secret locations and versions — never a key or a secret value — and a line for the operator on stderr.
 */
import { audit } from '../../../proxy/core/audit.ts';
import { createLogger } from '../../../proxy/core/log.ts';

export interface RotationEvent {
  /** What is rotated, as the audit line's resource: `key:gateway-signing`, `secret:CIO_API_KEY`, … */
  resource: string;
  step: string;
  outcome: 'success' | 'failure';
  detail?: Record<string, unknown>;
}

export type RotationReporter = (e: RotationEvent) => void;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Audit lines on stdout (JSON, for a log shipper), progress for people on stderr. `secretValues` are the keys this
 * process has handled so far (asked before every line): the logger masks them should any step's detail carry one.
 */
export function cliReporter(name: string, secretValues: () => Iterable<string> = () => []): RotationReporter {
  const log = createLogger({ name, sink: (l) => process.stdout.write(l + '\n') });
  return (e) => {
    log.addSecretValues(secretValues());
    audit({ log }, { action: 'secret.rotate', actor: 'operator', resource: e.resource, outcome: e.outcome, details: { step: e.step, ...e.detail } });
    process.stderr.write(`${e.outcome === 'success' ? '✓' : '✗'} ${e.step}${e.detail?.error ? `: ${String(e.detail.error)}` : ''}\n`);
  };
}

/** Runs the steps in order, reporting each; a failure names the step it stopped at and what was already done. */
export async function runSteps(resource: string, report: RotationReporter, steps: [string, () => Promise<Record<string, unknown> | void>][]): Promise<void> {
  const done: string[] = [];
  for (const [step, run] of steps) {
    try {
      const detail = await run();
      report({ resource, step, outcome: 'success', ...(detail ? { detail } : {}) });
      done.push(step);
    } catch (e) {
      report({ resource, step, outcome: 'failure', detail: { error: (e as Error).message, completed: done } });
      throw new Error(`rotation of ${resource} stopped at "${step}" (done: ${done.join('; ') || 'nothing'}): ${(e as Error).message}`);
    }
  }
}
