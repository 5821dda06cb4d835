/**
 * Seed the local AWS at AWS_ENDPOINT_URL (default http://127.0.0.1:4566) from fixtures/aws/seed.json or the file
 * given as the first argument. Safe to run repeatedly.
 *   AWS_ENDPOINT_URL=http://127.0.0.1:4566 npx tsx scripts/seed-aws.ts [seed.json]
 */
import { resolve } from 'node:path';
import { seedAws, DEFAULT_SEED_FILE } from '../emulators/aws/seed.ts';

const endpoint = process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566';
const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
const credentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' };
const file = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_SEED_FILE;

try {
  const report = await seedAws(endpoint, credentials, region, file);
  console.log(`seeded ${endpoint} from ${file}: ${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged`);
  for (const [what, ids] of Object.entries(report)) for (const id of ids as string[]) console.log(`  ${what.padEnd(9)} ${id}`);
} catch (e) {
  console.error(`seeding ${endpoint} failed: ${(e as Error).name}: ${(e as Error).message}`);
  process.exitCode = 1;
}
