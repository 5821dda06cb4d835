/**
 * Replays started from the page, run by the same engine and printer as `npm run replay` (scripts/lib/replay:
 * `replayCapture`): the page gets the lines the CLI prints, plus each entry's verdict and differences as they come
 * (SSE `replay` events), and the whole run afterwards (`GET /api/replay/:id`). The last few runs are kept.
 */
import type { ReplayEntry } from '../../scripts/lib/replay/har.ts';
import type { EntryResult } from '../../scripts/lib/replay/runner.ts';
import type { EventHub } from './events.ts';

export interface EntryView {
  index: number;
  method: string;
  path: string;
  lane: string;
  verdict: EntryResult['verdict'];
  ms: number;
  error?: string;
  /** The differences as `npm run replay` prints them. */
  diff?: string;
}

export interface ReplayJob {
  id: number;
  name: string;
  total: number;
  done: number;
  startedAt: string;
  finished: boolean;
  /** 0 all matched, 1 a difference or error (the CLI's exit code); null while running. */
  code: number | null;
  /** What the CLI printed (progress lines, mismatch report, summary table). */
  output: string;
  entries: EntryView[];
  error?: string;
}

const KEEP = 10;

export interface ReplayTarget {
  target: string;
  stateDir: string;
  aws: string;
}

export class ReplayJobs {
  private jobs: ReplayJob[] = [];
  private next = 1;

  constructor(private readonly hub: EventHub, private readonly where: ReplayTarget) {}

  list(): ReplayJob[] {
    return this.jobs;
  }

  get(id: number): ReplayJob | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  start(entries: ReplayEntry[], name: string, only?: string): ReplayJob {
    const job: ReplayJob = { id: this.next++, name, total: entries.length, done: 0, startedAt: new Date().toISOString(), finished: false, code: null, output: '', entries: [] };
    this.jobs.unshift(job);
    if (this.jobs.length > KEEP) this.jobs.length = KEEP;
    void this.run(job, entries, only);
    return job;
  }

  private async run(job: ReplayJob, entries: ReplayEntry[], only?: string): Promise<void> {
    const [{ replayCapture }, { formatDifferences }] = await Promise.all([import('../../scripts/lib/replay/cli.ts'), import('../../scripts/lib/replay/diff.ts')]);
    const out = (s: string) => {
      job.output += s;
      this.hub.publish('replay-output', { id: job.id, text: s });
    };
    try {
      const { code } = await replayCapture(entries, { ...this.where, concurrency: 4, only }, {
        out,
        err: out,
        tty: false,
        onResult: (r, done, total) => {
          const view: EntryView = {
            index: r.entry.index, method: r.entry.method, path: r.entry.url.pathname, lane: r.lane, verdict: r.verdict, ms: Math.round(r.ms * 10) / 10,
            ...(r.error ? { error: r.error } : {}), ...(r.diffs.length ? { diff: formatDifferences(r.diffs) } : {}),
          };
          job.entries.push(view);
          job.done = done;
          job.total = total;
          this.hub.publish('replay', { id: job.id, entry: view, done, total });
        },
      });
      job.code = code;
    } catch (e) {
      job.error = `the replay stopped: ${(e as Error).message}`;
      job.code = 1;
    }
    job.finished = true;
    job.entries.sort((a, b) => a.index - b.index);
    this.hub.publish('replay-done', { id: job.id, code: job.code, error: job.error });
  }
}
