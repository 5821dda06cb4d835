/**
 * `npm run replay -- <file.har> [--target URL] [--concurrency N] [--rate R] [--junit out.xml] [--only GLOB]`:
 * replays a HAR capture against the local stack's gateway and reports every difference (README: QA: record and
 * replay). The work is in scripts/lib/replay/.
 */
import { runReplayCli } from './lib/replay/cli.ts';

const { code } = await runReplayCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  tty: Boolean(process.stdout.isTTY) && !process.env.CI,
});
process.exitCode = code;
