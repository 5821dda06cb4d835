/**
 * Resets asked for together: the console's "reset all" resets every service at once, and two replays with --reset
 * may POST /__admin/reset at the same moment. Each must succeed, and the stack must serve afterwards.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import type { ServiceName } from '../../emulators/stack/services.ts';
import { call, testStack } from '../helpers/stack.ts';

describe('stack resets asked for together', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => {
    stack = await testStack();
  });
  after(() => stack?.close());

  it('resets every fake at once, as the console\'s "reset all" does, without a failure', async () => {
    const fakes = stack.status().map((s) => s.name as ServiceName).filter((n) => n !== 'proxy' && n !== 'console');
    const settled = await Promise.allSettled(fakes.map((n) => stack.reset(n)));
    expect(settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason))).to.deep.equal([]);
  });

  it('answers two POST /__admin/reset sent together with 200 each, and the stack serves after them', async () => {
    const both = await Promise.all([0, 1].map(() => call(stack.urls.proxy, 'POST', '/__admin/reset')));
    expect(both.map((r) => [r.status, r.body?.ok ?? r.text])).to.deep.equal([[200, true], [200, true]]);
    const event = await call(stack.urls.gateway, 'POST', '/events', { json: { name: 'app_opened', anonymous_id: 'device-1' } });
    expect(event.status, event.text).to.equal(200);
  });
});
