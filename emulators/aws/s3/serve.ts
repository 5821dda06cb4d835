/** Serve an embedded S3 on its own port (tests and standalone use; the stack routes through the AWS edge). */
import http from 'node:http';
import { listen, type Listening } from '../../shared/emulator.ts';
import { createS3, type S3Options, type S3Service } from './index.ts';

export async function startS3Server(opts: S3Options & { port?: number; host?: string }): Promise<Listening & { s3: S3Service }> {
  const s3 = createS3(opts);
  const server = http.createServer((req, res) => s3.handle(req, res));
  const l = await listen(server, opts.port ?? 0, { host: opts.host });
  return {
    ...l,
    s3,
    close: async () => {
      await l.close();
      await s3.close();
    },
  };
}
