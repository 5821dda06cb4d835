/** The console's DNS-rebinding guard: which Host headers it answers (emulators/console/host-check.ts). */
import { expect } from 'chai';
import { allowedHostsFrom, hostAllowed } from '../../emulators/console/host-check.ts';

describe('console Host check (DNS rebinding)', () => {
  it('answers IP addresses and localhost, with or without a port', () => {
    for (const h of ['127.0.0.1:4050', '127.0.0.1', '[::1]:4050', '[::1]', '192.168.1.20:4050', 'localhost:4050', 'LOCALHOST', 'app.localhost:4050', 'localhost.:4050']) {
      expect(hostAllowed(h), h).to.equal(true);
    }
  });

  it('refuses any other name, a missing Host, and names that only look local', () => {
    for (const h of [undefined, '', 'evil.example', 'evil.example:4050', '127.0.0.1.nip.io:4050', 'localhost.evil.example', 'mylocalhost', '[::1', ':4050']) {
      expect(hostAllowed(h), String(h)).to.equal(false);
    }
  });

  it('answers names from CONSOLE_ALLOWED_HOSTS; a leading dot allows subdomains', () => {
    const allowed = allowedHostsFrom({ CONSOLE_ALLOWED_HOSTS: 'devbox.internal, .corp.test' });
    expect(allowed).to.deep.equal(['devbox.internal', '.corp.test']);
    expect(hostAllowed('devbox.internal:4050', allowed)).to.equal(true);
    expect(hostAllowed('corp.test', allowed)).to.equal(true);
    expect(hostAllowed('a.b.corp.test:4050', allowed)).to.equal(true);
    expect(hostAllowed('evilcorp.test', allowed)).to.equal(false);
    expect(hostAllowed('other.internal', allowed)).to.equal(false);
  });
});
