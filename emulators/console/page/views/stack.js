// Stack: every service, its health, requests and last error; reset to the seed; faults on and off per fake.
import { Fragment } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, Badge, ErrorBox, html, Loading, useApi, useEvent } from '../lib.js';

const FAKES = ['customerio', 'extend', 'mailgun', 'vault', 'aws', 'cloudfront', 'gateway'];
const stateKind = { up: 'ok', starting: 'warn', restarting: 'warn', backoff: 'bad', stopped: 'bad' };

function FaultForm({ service, active, onDone }) {
  const [status, setStatus] = useState('503');
  const [rate, setRate] = useState('0.5');
  const [latency, setLatency] = useState('0');
  const [path, setPath] = useState('');
  const [error, setError] = useState();
  const submit = async (on) => {
    setError(undefined);
    try {
      if (!on) await api(`/api/stack/${service}/faults`, { method: 'DELETE' });
      else {
        const spec = { ratio: Number(rate) };
        if (status) spec.status = Number(status);
        if (Number(latency) > 0) spec.latencyMs = Number(latency);
        if (path) spec.match = { path };
        await api(`/api/stack/${service}/faults`, { method: 'POST', json: spec });
      }
      onDone();
    } catch (e) { setError(e); }
  };
  return html`<div class="row fault-form" data-service=${service}>
    <label>status <input size="3" value=${status} onInput=${(e) => setStatus(e.target.value)} name="status" /></label>
    <label>rate <input size="3" value=${rate} onInput=${(e) => setRate(e.target.value)} name="rate" /></label>
    <label>latency ms <input size="5" value=${latency} onInput=${(e) => setLatency(e.target.value)} name="latency" /></label>
    <label>path <input size="12" placeholder="any" value=${path} onInput=${(e) => setPath(e.target.value)} name="path" /></label>
    <button onClick=${() => submit(true)}>fault on</button>
    <button disabled=${!active} onClick=${() => submit(false)}>off</button>
    <${ErrorBox} error=${error} />
  </div>`;
}

export default function Stack() {
  const state = useApi('/api/stack');
  const [busy, setBusy] = useState();
  const [error, setError] = useState();
  const [open, setOpen] = useState();
  const timer = useRef();
  // Counts move with traffic: refresh when a request or a change goes by (debounced), never on a timer.
  const soon = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(state.reload, 400);
  };
  useEvent('trace', soon, [state.reload]);
  useEvent('stack', soon, [state.reload]);
  const reset = async (service) => {
    setBusy(service);
    setError(undefined);
    try { await api('/api/stack/reset', { method: 'POST', json: { service } }); } catch (e) { setError(e); }
    setBusy(undefined);
    state.reload();
  };
  const services = state.data?.services ?? [];
  return html`
    <div class="row"><h2>Services</h2>
      <button onClick=${state.reload}>refresh</button>
      <button class="danger" disabled=${!!busy} onClick=${() => reset('all')}>${busy === 'all' ? 'resetting the whole stack…' : 'reset whole stack to its seed'}</button>
    </div>
    <${ErrorBox} error=${error} />
    <${Loading} state=${state} />
    ${services.length ? html`<table class="services">
      <tr><th>service</th><th>URL</th><th>state</th><th>health</th><th>requests</th><th>last error</th><th>restarts</th><th></th></tr>
      ${services.map((s) => html`<${Fragment} key=${s.name}>
        <tr data-service=${s.name}>
          <td><b>${s.name}</b>${s.pid ? html` <span class="muted mono">pid ${s.pid}</span>` : null}</td>
          <td>${Object.entries(s.urls).map(([k, u]) => html`<div><a href=${u} target="_blank" rel="noopener" class="mono">${u}</a>${k !== s.name ? html` <span class="muted">${k}</span>` : null}</div>`)}</td>
          <td><${Badge} kind=${stateKind[s.state] ?? ''}>${s.state}</${Badge}></td>
          <td>${s.health.ok ? html`<${Badge} kind="ok">healthy</${Badge}>` : html`<${Badge} kind="bad">down</${Badge}><div class="error-inline">${s.health.error ?? ''}</div>`}</td>
          <td class="requests">${s.requests ?? '—'}</td>
          <td class="mono">${s.lastError ?? html`<span class="muted">none</span>`}</td>
          <td>${s.restarts}${s.exits ? html` <span class="muted">(${s.exits} crashes)</span>` : null}</td>
          <td>
            ${s.name !== 'console' ? html`<button disabled=${!!busy} onClick=${() => reset(s.name)}>${busy === s.name ? 'resetting…' : s.name === 'proxy' ? 'restart' : 'reset'}</button>` : null}
            ${FAKES.includes(s.name) ? html` <button onClick=${() => setOpen(open === s.name ? undefined : s.name)}>faults${s.faults ? html` <${Badge} kind="warn">${s.faults} on</${Badge}>` : ''}</button>` : null}
          </td>
        </tr>
        ${open === s.name ? html`<tr><td colspan="8"><${FaultForm} service=${s.name} active=${s.faults > 0} onDone=${state.reload} /></td></tr>` : null}</${Fragment}>`)}
    </table>` : null}
    <p class="muted">Requests are counted by each fake's journal since its last reset (the console's own reads included); the proxy's from its trace records. A fault answers a share (rate) of matching requests with the status and/or a delay, through the fake's <code>/__admin/faults</code>.</p>`;
}
