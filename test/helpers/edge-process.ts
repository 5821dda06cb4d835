/**
 * The AWS edge with persistence in a child process (edge-process-main.ts), for crash tests: start it on a
 * directory, arm a crash point, kill it with SIGKILL, see how it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./edge-process-main.ts', import.meta.url));

export class EdgeProcess {
  /** Resolves with the signal (or exit code) that ended the process. */
  readonly exited: Promise<string>;
  private readonly lines: string[] = [];
  private waiting: ((line: string) => void) | undefined;

  private constructor(private readonly child: ChildProcess, public url = '') {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? String(code))));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
  }

  static async start(dir: string, env: Record<string, string> = {}): Promise<EdgeProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, dir], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const p = new EdgeProcess(child);
    const ready = await Promise.race([p.nextLine(), p.exited.then((how) => `exited ${how}`)]);
    if (!ready.startsWith('ready ')) throw new Error(`edge process did not start: ${ready}`);
    p.url = ready.slice('ready '.length);
    return p;
  }

  /** Arm a crash point in the child (`point` or `point:n`). */
  async arm(spec: string): Promise<void> {
    this.child.stdin!.write(`arm ${spec}\n`);
    const answer = await this.nextLine();
    if (answer !== 'armed') throw new Error(`unexpected answer to arm: ${answer}`);
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private nextLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
