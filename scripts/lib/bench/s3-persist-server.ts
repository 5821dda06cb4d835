/**
 * The embedded S3 with persistence on its own, for scripts/bench-s3-persist.ts: `<dir>` as argument, prints
 * `ready <url>` once it has loaded the directory and listens. Run in a child process so its start-up time and
 * memory are its own.
 */
import { startS3Server } from '../../../emulators/aws/s3/serve.ts';

const srv = await startS3Server({ credentials: { test: 'test' }, persistDir: process.argv[2], host: '127.0.0.1' });
process.stdout.write(`ready ${srv.url}\n`);
