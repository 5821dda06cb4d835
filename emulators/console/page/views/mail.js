// Mail: the fake Mailgun's captured messages, searchable; one message rendered safely with everything around it.
import { useState } from 'preact/hooks';
import { Badge, html, Json, Loading, time, useApi, useEvent } from '../lib.js';

// The message's HTML runs in an iframe with `sandbox` (no scripts, a unique origin) and a policy that forbids any
// load: no remote images, fonts or styles. Links open in a new tab, outside the sandbox.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";
export const srcdoc = (htmlPart) => `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><base target="_blank">${htmlPart}`;

function Detail({ id }) {
  const state = useApi(`/api/mail/messages/${encodeURIComponent(id)}`);
  const m = state.data;
  if (!m) return html`<${Loading} state=${state} />`;
  const to = Array.isArray(m.to) ? m.to.join(', ') : m.to;
  return html`<div class="card message-detail">
    <h3>${m.subject}</h3>
    <table class="kv"><tr><th>from</th><td>${m.from}</td></tr><tr><th>to</th><td>${to}</td></tr><tr><th>id</th><td>${m.id}</td></tr>
      <tr><th>sent</th><td>${time(m.createdAt)}</td></tr><tr><th>tags</th><td>${(m.tags ?? []).map((t) => html`<${Badge} kind="info">${t}</${Badge}> `)}</td></tr></table>
    ${m.links?.length ? html`<h3>Links</h3><ul class="links">${m.links.map((l) => html`<li><a href=${l.url} target="_blank" rel="noopener noreferrer" class="mono report-link" data-cloudfront=${l.cloudfront}>${l.url.length > 110 ? `${l.url.slice(0, 110)}…` : l.url}</a> ${l.cloudfront ? html`<${Badge} kind="info">local CloudFront edge</${Badge}>` : null}</li>`)}</ul>` : null}
    <h3>HTML</h3>
    ${m.html ? html`<iframe class="mail" sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" srcdoc=${srcdoc(m.html)} title="message HTML"></iframe>` : html`<p class="muted">no HTML part</p>`}
    <h3>Text</h3><pre class="text-part">${m.text ?? '—'}</pre>
    <h3>Delivery events</h3>
    ${m.events?.length ? html`<table><tr><th>time</th><th>event</th><th>recipient</th><th>detail</th></tr>${m.events.map((e) => html`<tr><td>${time(e.timestamp)}</td><td><${Badge} kind=${/fail|complain/.test(e.event) ? 'bad' : 'ok'}>${e.event}</${Badge}></td><td>${e.recipient}</td><td class="mono">${e.reason ?? e['delivery-status']?.message ?? ''}</td></tr>`)}</table>` : html`<p class="muted">none yet</p>`}
    <h3>Recipient variables</h3><${Json} value=${m.recipientVariables ?? undefined} />
    <h3>Headers</h3><table class="kv">${Object.entries(m.headers ?? {}).map(([k, v]) => html`<tr><th>${k}</th><td>${Array.isArray(v) ? v.join(', ') : String(v)}</td></tr>`)}</table>
    <h3>User variables and options</h3><${Json} value=${{ variables: m.variables, options: m.options }} />
  </div>`;
}

export default function Mail() {
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('');
  const [picked, setPicked] = useState();
  const q = new URLSearchParams({ to, subject }).toString();
  const state = useApi(`/api/mail/messages?${q}`);
  useEvent('trace', (row) => row.upstream?.some((c) => c.upstream === 'mailgun') && state.reload(), [state.reload]);
  const messages = state.data?.messages ?? [];
  return html`
    <div class="row"><h2>Captured mail</h2>
      <input placeholder="recipient" value=${to} onInput=${(e) => setTo(e.target.value)} name="to" />
      <input placeholder="subject" value=${subject} onInput=${(e) => setSubject(e.target.value)} name="subject" />
      <button onClick=${state.reload}>refresh</button>
      ${state.data ? html`<span class="muted">${messages.length} of ${state.data.total}</span>` : null}</div>
    <${Loading} state=${state} />
    <div class="split">
      <table class="messages"><tr><th>sent</th><th>to</th><th>subject</th></tr>
        ${messages.map((m) => html`<tr key=${m.id} class=${`clickable ${picked === m.id ? 'selected' : ''}`} onClick=${() => setPicked(m.id)} data-id=${m.id}>
          <td>${time(m.createdAt)}</td><td>${Array.isArray(m.to) ? m.to.join(', ') : m.to}${m.recipients > 1 ? html` <span class="muted">(${m.recipients})</span>` : null}</td><td>${m.subject}</td></tr>`)}
      </table>
      <div>${picked ? html`<${Detail} id=${picked} key=${picked} />` : html`<p class="muted">Pick a message.</p>`}</div>
    </div>`;
}
