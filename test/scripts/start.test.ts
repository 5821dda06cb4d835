/**
 * `npm start` as a developer runs it: the launcher (scripts/start.mjs) compiles the stack and starts its supervisor,
 * which runs each service in a process of its own; it prints the table, serves a request through gateway → proxy →
 * fake, and stops cleanly on SIGINT. Killing the supervisor outright leaves no service process behind.
 * Every port is moved to a free one so the test never collides with a running stack.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function eventually(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Started { child: ChildProcess; out: () => string; exited: Promise<number | null>; gateway: number; services: number[] }

async function npmStart(): Promise<Started> {
  const names = Object.values(PORTS).map((p) => p.env);
  const ports = await freePorts(names.length);
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_STATE_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-start-')), LOG_LEVEL: 'warn' };
  delete env.VAULT_ADDR;
  delete env.AWS_ENDPOINT_URL;
  names.forEach((name, i) => (env[name] = String(ports[i])));
  const child = spawn(process.execPath, ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => { if (out.includes('Stop: Ctrl-C')) { clearInterval(timer); resolve(); } }, 50);
    exited.then(() => { clearInterval(timer); reject(new Error(`the stack exited before it was ready:\n${out}`)); });
  });
  return { child, out: () => out, exited, gateway: ports[names.indexOf('GATEWAY_PORT')], services: childrenOf(child.pid!) };
}

describe('npm start (scripts/start.mjs)', function () {
  this.timeout(60_000);

  it('starts every server, answers through the gateway and stops cleanly on SIGINT', async () => {
    const s = await npmStart();
    try {
      expect(s.out()).to.match(/ready \d+ ms after the process started/);
      for (const name of ['gateway', 'proxy', 'customerio', 'customerio-https', 'extend', 'mailgun', 'cloudfront', 'vault', 'aws', 'console']) expect(s.out()).to.match(new RegExp(`\\n\\s+${name}\\s+https?://127\\.0\\.0\\.1:\\d+`));
      expect(s.services, 'one process per service').to.have.length(9);
      const res = await fetch(`http://127.0.0.1:${s.gateway}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'app_opened', anonymous_id: 'device-1' }) });
      expect(res.status).to.equal(200);
    } finally {
      s.child.kill('SIGINT');
    }
    expect(await s.exited).to.equal(0);
    expect(s.out()).to.include('SIGINT: stopping');
    expect(s.services.filter(alive), 'service processes left').to.deep.equal([]);
  });

  it('leaves no service process behind when the supervisor is killed with SIGKILL', async () => {
    const s = await npmStart();
    expect(s.services).to.have.length(9);
    s.child.kill('SIGKILL');
    await s.exited;
    await eventually('every service process gone', () => s.services.every((pid) => !alive(pid)));
    // And their ports are free again.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(s.gateway, '127.0.0.1', () => resolve()); });
    await new Promise((r) => probe.close(r));
  });
});
