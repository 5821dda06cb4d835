import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { expect } from 'chai';
import { Journal } from '../../emulators/shared/journal.ts';
import { CallLog } from '../../emulators/aws/call-log.ts';

/** The parts of a request/response pair the call log touches. */
function exchange(url: string, headers: Record<string, string> = {}) {
  const req = { method: 'GET', url, headers } as unknown as http.IncomingMessage;
  const res = Object.assign(new EventEmitter(), { statusCode: 200 }) as unknown as http.ServerResponse & EventEmitter;
  return { req, res };
}

describe('CallLog (the edge\'s lazy journal)', () => {
  it('journals nothing until flushed, then every call in arrival order with path, query, status and masked credentials', () => {
    const journal = new Journal();
    const log = new CallLog(journal);
    const a = exchange('/bucket/a?X-Amz-Signature=abc', { authorization: 'AWS4-HMAC-SHA256 Credential=test/x' });
    const b = exchange('/bucket/b');
    log.add(a.req, a.res, '');
    log.add(b.req, b.res, '{"x":1}');
    a.res.statusCode = 404;
    a.res.emit('finish');
    b.res.emit('finish');
    expect(journal.list()).to.have.length(0);
    const entries = log.flush().list();
    expect(entries.map((e) => [e.path, e.query, e.status, e.body])).to.deep.equal([
      ['/bucket/a', 'X-Amz-Signature=abc', 404, ''],
      ['/bucket/b', '', 200, '{"x":1}'],
    ]);
    expect(entries[0].headers.authorization).to.equal('AWS4-HMAC-SHA256 ***');
    expect(entries[0].durationMs).to.be.a('number');
    expect(log.flush().list()).to.have.length(2);
  });

  it('gives a call still in flight at flush time its status when it finishes', () => {
    const journal = new Journal();
    const log = new CallLog(journal);
    const poll = exchange('/queue');
    log.add(poll.req, poll.res, '');
    const [entry] = log.flush().list();
    expect(entry.status).to.equal(undefined);
    poll.res.emit('finish');
    expect(journal.list()[0].status).to.equal(200);
  });

  it('keeps only the newest calls when more arrive than the journal holds', () => {
    const log = new CallLog(new Journal(), 3);
    for (const n of [1, 2, 3, 4, 5]) log.add(exchange(`/k${n}`).req, exchange('/').res, '');
    expect(log.flush().list().map((e) => e.path)).to.deep.equal(['/k3', '/k4', '/k5']);
  });
});
