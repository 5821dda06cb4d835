/**
 * Mailgun's storage hosts behind the fake: mailgun.js sends some calls (clearMessagesQueue's DELETE
 * /v3/{domain}/envelopes) to a fixed host such as storage-us-east4.api.mailgun.net, which a client can only aim
 * at the fake through an HTTP proxy. The fake is that proxy for those hosts alone: it accepts the CONNECT tunnel,
 * answers TLS with a certificate for the storage hosts from the stack's local CA (trusted with
 * NODE_EXTRA_CA_CERTS=.state/tls/ca.pem), and serves the tunnel with its own routes. Any other host is refused.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { serverCert, type ServerCert } from '../shared/tls.ts';

/** The storage hosts mailgun.js accepts (MessagesClient.clearMessagesQueue). */
export const STORAGE_HOSTS = ['storage-us-east4.api.mailgun.net', 'storage-us-west1.api.mailgun.net', 'storage-europe-west1.api.mailgun.net'];

export function acceptStorageTunnels(server: http.Server, tlsDir: string): void {
  let cert: ServerCert | undefined;
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const [host, port] = (req.url ?? '').split(':');
    if (!STORAGE_HOSTS.includes(host) || port !== '443') {
      // Refused in Mailgun's error shape, like every other answer of the fake (fuzz finding: CONNECT to a path).
      const body = JSON.stringify({ message: `The fake Mailgun tunnels only to ${STORAGE_HOSTS.join(', ')} on port 443` });
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    // The certificate is made on the first tunnel: most runs never open one.
    cert ??= serverCert(tlsDir, STORAGE_HOSTS);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    const secure = new tls.TLSSocket(socket, { isServer: true, key: cert.key, cert: cert.cert });
    secure.on('error', () => secure.destroy());
    server.emit('connection', secure);
  });
}
