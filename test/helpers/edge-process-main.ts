/**
 * The AWS edge with S3 persistence in its own process, for crash tests: `node --import tsx edge-process-main.ts <dir>`
 * prints `ready <url>` once listening. A line `arm <point>[:<n>]` on stdin arms a crash point (answered `armed`).
 */
import readline from 'node:readline';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import { armCrash } from '../../emulators/aws/s3/persist/crash.ts';

const edge = await startAwsEdge({ port: 0, host: '127.0.0.1', credentials: { test: 'test' }, persistDir: process.argv[2] });
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, spec] = line.trim().split(/\s+/);
  if (cmd === 'arm') {
    armCrash(spec ?? '');
    process.stdout.write('armed\n');
  }
});
process.stdout.write(`ready ${edge.url}\n`);
