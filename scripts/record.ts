/**
 * `npm run record -- --out <file.har> [--attach URL] [--port 8081] [--upstream NAME] [--scenario NAME]`:
 * records mobile traffic through the gateway into a redacted HAR (README: QA: record and replay). Without
 * --scenario it runs until Ctrl-C; point the app (or curl) at the printed URL.
 */
import { driveScenario, parseRecordArgs, startRecording } from './lib/replay/record.ts';
import { SCENARIOS } from './lib/replay/scenarios.ts';

let args;
try {
  args = parseRecordArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`record: ${(e as Error).message}\nusage: npm run record -- --out <file.har> [--attach URL] [--port 8081] [--upstream NAME] [--scenario ${Object.keys(SCENARIOS).join('|')}]\n`);
  process.exit(2);
}
const rec = await startRecording(args, (s) => process.stdout.write(s));
if (args.scenario) {
  await driveScenario(rec, SCENARIOS[args.scenario].requests);
  await rec.close();
  process.stdout.write(`${rec.writer.size} entries written to ${args.out}\n`);
  process.exit(0);
} else {
  process.once('SIGINT', async () => {
    await rec.close();
    process.stdout.write(`\n${rec.writer.size} entries written to ${args.out}\n`);
    process.exit(0);
  });
}
