/**
 * `npm run soak -- [--faults 0.2] [--seconds 60] [--seed 1] [--clients 8]`: Customer.io events and /send-mail
 * campaigns through the gateway of a stack of its own while the fakes fail a share of upstream calls, with clients
 * that retry as the README says; then what each client was told against what the fakes hold (README:
 * Reliability, Soak). Exit code 0 when nothing acknowledged was lost, nothing was done twice and every failure was
 * answered as documented; 1 otherwise; 2 for bad arguments.
 */
import { parseSoakArgs } from './lib/soak/args.ts';
import { formatSoakReport } from './lib/soak/report.ts';
import { runSoak } from './lib/soak/run.ts';

let options;
try {
  options = parseSoakArgs(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`soak: ${(e as Error).message}\nusage: npm run soak -- [--faults 0.2] [--seconds 60] [--seed 1] [--clients 8]\n`);
  process.exit(2);
}
const report = await runSoak(options, (s) => process.stdout.write(`${s}\n`));
process.stdout.write(`${formatSoakReport(report)}\n(npm run soak -- --faults ${options.faults} --seconds ${options.seconds} --seed ${options.seed} --clients ${options.clients})\n`);
process.exit(report.ok ? 0 : 1);
