/**
 * `npm start` as a developer runs it: the launcher (scripts/start.mjs) compiles and starts the whole stack in one
 * process, prints the table, serves a request through gateway → proxy → fake, and stops cleanly on SIGINT.
 * Every port is moved to a free one so the test never collides with a running stack.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORTS } from '../../emulators/stack/ports.ts';

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => r(s)); })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

describe('npm start (scripts/start.mjs)', function () {
  this.timeout(60_000);

  it('starts every server, answers through the gateway and stops cleanly on SIGINT', async () => {
    const names = Object.values(PORTS).map((p) => p.env);
    const ports = await freePorts(names.length);
    const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_STATE_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-start-')), LOG_LEVEL: 'warn' };
    delete env.VAULT_ADDR;
    delete env.AWS_ENDPOINT_URL;
    names.forEach((name, i) => (env[name] = String(ports[i])));
    const child = spawn(process.execPath, ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => { if (out.includes('Stop: Ctrl-C')) { clearInterval(timer); resolve(); } }, 50);
        exited.then(() => { clearInterval(timer); reject(new Error(`the stack exited before it was ready:\n${out}`)); });
      });
      expect(out).to.match(/ready \d+ ms after the process started/);
      for (const name of ['gateway', 'proxy', 'customerio', 'customerio-https', 'extend', 'mailgun', 'cloudfront', 'vault', 'aws']) expect(out).to.match(new RegExp(`\\n\\s+${name}\\s+https?://127\\.0\\.0\\.1:\\d+`));
      const gateway = ports[names.indexOf('GATEWAY_PORT')];
      const res = await fetch(`http://127.0.0.1:${gateway}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'app_opened', anonymous_id: 'device-1' }) });
      expect(res.status).to.equal(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).to.equal(0);
    expect(out).to.include('SIGINT: stopping');
  });
});
