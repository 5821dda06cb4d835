/**
 * `npm run bench:pii`: what the PII sanitiser costs per outbound call (CPU µs), for the bodies the proxy sends —
 * a Customer.io event with nothing to remove (the common case: a substring pre-check, no parse), the same with
 * sensitive fields at several depths (parse, walk, serialise), a Mailgun batch form with recipient-variables —
 * beside what the body's own JSON.stringify costs, for scale. Prints the command, Node version, cores and load.
 */
import os from 'node:os';
import { loadPiiConfig, PiiSanitiser } from '../proxy/core/pii.ts';
import { sanitiseOutbound } from '../proxy/core/pii-client.ts';
import type { OutboundRequest } from '../proxy/core/http-client.ts';

const iterations = Number(process.argv.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 20_000);
const pii = new PiiSanitiser(loadPiiConfig({}), 'bench-salt');
const event = { name: 'item_purchased', id: '01HZY7Q2V5N0F6P2XKQ4J8T3RS', data: { price: 29.99, sku: 'A-1', items: [{ id: 1, qty: 2 }, { id: 2, qty: 1 }], coupon: 'SUMMER' } };
const sensitive = { ...event, data: { ...event.data, phone: '+1234567890', profile: { ssn: '123-45-6789', address: { city: 'London' }, cards: [{ credit_card: '4111111111111111' }] } } };
const recipients = Array.from({ length: 100 }, (_, i) => `user${i}@example.com`);
const form = new URLSearchParams([['from', 'reports@mg.example.com'], ...recipients.map((r): [string, string] => ['to', r]), ['subject', 'July'], ['html', '<p>x</p>'.repeat(50)], ['text', 'x'.repeat(400)],
  ['recipient-variables', JSON.stringify(Object.fromEntries(recipients.map((r) => [r, { email: r }])))]]).toString();

const json = (body: unknown): OutboundRequest => ({ upstream: 'customerio-track', method: 'POST', url: 'https://track.customer.io/api/v1/customers/x/events', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const cases: [string, () => unknown][] = [
  ['JSON.stringify of the event (for scale)', () => JSON.stringify(event)],
  ['event, nothing to remove', ((r) => () => sanitiseOutbound(r, pii))(json(event))],
  ['event with 5 sensitive fields at 3 depths', ((r) => () => sanitiseOutbound(r, pii))(json(sensitive))],
  ['Mailgun batch form, 100 recipients', () => sanitiseOutbound({ upstream: 'mailgun', method: 'POST', url: 'https://api.mailgun.net/v3/d/messages', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }, pii)],
];

console.log(`$ npm run bench:pii -- --iterations=${iterations}   (node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)})`);
for (const [name, run] of cases) {
  for (let i = 0; i < 2000; i++) run(); // warm-up
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) run();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / iterations);
  }
  samples.sort((a, b) => a - b);
  console.log(`${name.padEnd(45)} ${samples[2].toFixed(2).padStart(8)} µs CPU per call (median of 5 rounds)`);
}
