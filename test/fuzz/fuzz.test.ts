/**
 * The fuzzer that ships (`npm run fuzz`), as a small seeded run: every surface — the gateway's route groups, the
 * proxy signed and unsigned, every fake on HTTP and HTTPS, each AWS service signed and unsigned — gets a few
 * hundred malformed requests against the stack in its own process. Any death, 5xx, error answer outside the
 * surface's promised shape, or request reaching a listener nothing may forward to fails the test, with the report.
 */
import { expect } from 'chai';
import { runCampaign, withFuzzTarget } from '../../scripts/lib/fuzz/campaign.ts';

const COUNT = Number(process.env.FUZZ_TEST_COUNT ?? 200);
const SEED = process.env.FUZZ_TEST_SEED ?? 'npm-test';

describe('fuzz: a seeded run over every surface (issue 13)', function () {
  // Start-up, set-up and ~3,400 requests on a loaded 2-core machine.
  this.timeout(600_000);

  it(`answers ${COUNT} malformed requests per surface with no death, no 5xx and no error outside its shape, and would see a death`, async () => {
    await withFuzzTarget(async (target, surfaces, ctx, creds) => {
      const r = await runCampaign(target, surfaces, ctx, creds, { count: COUNT, seed: SEED, concurrency: 16 }, `seed ${SEED}, ${COUNT} per surface`);
      expect(r.results.map((x) => x.surface)).to.have.length.greaterThanOrEqual(17);
      for (const x of r.results) expect(x.requests, x.surface).to.equal(COUNT);
      const details = `${r.report}${r.output.length ? `\n--- the stack's last output ---\n${r.output.join('\n')}` : ''}`;
      expect(r.verdict.failures, details).to.deep.equal([]);

      // The death count is not vacuous: a service killed now is reported from the supervisor's status.
      const victim = target.status().find((s) => s.name === 'extend')!;
      process.kill(victim.pid!, 'SIGKILL');
      let deaths: Awaited<ReturnType<typeof target.check>> = [];
      for (let i = 0; i < 40 && !deaths.length; i++) {
        await new Promise((res) => setTimeout(res, 250));
        deaths = await target.check('after the campaign');
      }
      expect(deaths.map((d) => d.server)).to.deep.equal(['extend']);
      expect(deaths[0].how).to.match(/signal SIGKILL/);
    });
  });
});
