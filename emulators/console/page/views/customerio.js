// Customer.io: people (deleted and suppressed ones flagged), what the Track API received for them, broadcasts.
import { useState } from 'preact/hooks';
import { Badge, html, Json, Loading, time, useApi, useEvent } from '../lib.js';

function Person({ cioId }) {
  const state = useApi(`/api/customerio/people/${encodeURIComponent(cioId)}`);
  const p = state.data;
  if (!p) return html`<${Loading} state=${state} />`;
  return html`<div class="card person">
    <h3>${p.email ?? p.id ?? `cio_${p.cioId}`} ${p.deleted ? html`<${Badge} kind="bad">deleted</${Badge}>` : null} ${p.suppressed ? html`<${Badge} kind="warn">suppressed</${Badge}>` : null}</h3>
    <table class="kv"><tr><th>id</th><td>${p.id ?? '—'}</td></tr><tr><th>email</th><td>${p.email ?? '—'}</td></tr><tr><th>cio id</th><td>${p.cioId}</td></tr>
      <tr><th>created</th><td>${time(p.createdAt)}</td></tr><tr><th>updated</th><td>${time(p.updatedAt)}</td></tr></table>
    <h3>Attributes</h3><${Json} value=${p.attributes} />
    <h3>Devices</h3>${p.devices.length ? html`<table><tr><th>token</th><th>platform</th><th>last used</th></tr>${p.devices.map((d) => html`<tr><td class="mono">${d.id}</td><td>${d.platform}</td><td>${time(d.last_used)}</td></tr>`)}</table>` : html`<p class="muted">none</p>`}
    <h3>Recent events (Track API)</h3>${p.events.length ? html`<table><tr><th>received</th><th>name</th><th>type</th><th>data</th></tr>${p.events.map((e) => html`<tr><td>${time(e.receivedAt ?? e.timestamp)}</td><td>${e.name}</td><td>${e.type}</td><td class="mono">${JSON.stringify(e.data)}</td></tr>`)}</table>` : html`<p class="muted">none</p>`}
    <h3>Messages sent to them</h3>${p.deliveries.length ? html`<${Json} value=${p.deliveries} />` : html`<p class="muted">none</p>`}
  </div>`;
}

function Activity() {
  const state = useApi('/api/customerio/activity');
  const a = state.data;
  if (!a) return html`<${Loading} state=${state} />`;
  return html`<div class="card"><div class="row"><h3>Campaigns and broadcasts triggered</h3><button onClick=${state.reload}>refresh</button></div>
    ${a.broadcastTriggers.length ? html`<table><tr><th>trigger</th><th>broadcast</th><th>when</th><th>recipients</th><th>data</th></tr>${a.broadcastTriggers.map((t) => html`<tr><td>${t.id}</td><td>${t.broadcastId}</td><td>${time(t.createdAt)}</td><td class="mono">${JSON.stringify(t.recipients)}</td><td class="mono">${JSON.stringify(t.data)}</td></tr>`)}</table>` : html`<p class="muted">No broadcast triggered yet.</p>`}
    <h3>Deliveries</h3>${a.deliveries.length ? html`<table><tr><th>delivery</th><th>type</th><th>to</th><th>queued</th><th></th></tr>${a.deliveries.map((d) => html`<tr><td class="mono">${d.deliveryId}</td><td>${d.type}</td><td>${Array.isArray(d.to) ? d.to.join(', ') : d.to}</td><td>${time(d.queuedAt)}</td><td>${d.suppressed ? html`<${Badge} kind="warn">suppressed: not delivered</${Badge}>` : null}</td></tr>`)}</table>` : html`<p class="muted">none</p>`}
    <h3>Anonymous events</h3>${a.anonymousEvents.length ? html`<table><tr><th>received</th><th>anonymous id</th><th>name</th></tr>${a.anonymousEvents.map((e) => html`<tr><td>${time(e.receivedAt)}</td><td class="mono">${e.anonymousId}</td><td>${e.name}</td></tr>`)}</table>` : html`<p class="muted">none</p>`}
  </div>`;
}

export default function Customerio() {
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState();
  const state = useApi(`/api/customerio/people?q=${encodeURIComponent(q)}`);
  useEvent('trace', (row) => row.upstream?.some((c) => c.upstream.startsWith('customerio')) && state.reload(), [state.reload]);
  const people = state.data?.people ?? [];
  return html`
    <div class="row"><h2>People</h2><input placeholder="search id, email, attributes" value=${q} onInput=${(e) => setQ(e.target.value)} name="q" />
      <button onClick=${state.reload}>refresh</button>${state.data ? html`<span class="muted">${people.length} of ${state.data.total}</span>` : null}</div>
    <${Loading} state=${state} />
    <div class="split">
      <table class="people"><tr><th>person</th><th>state</th><th>devices</th><th>events</th></tr>
        ${people.map((p) => html`<tr key=${p.cioId} class=${`clickable ${picked === p.cioId ? 'selected' : ''}`} onClick=${() => setPicked(p.cioId)} data-cio=${p.cioId}>
          <td><b>${p.email ?? p.id ?? `cio_${p.cioId}`}</b>${p.id && p.email ? html`<div class="muted mono">${p.id}</div>` : null}</td>
          <td>${p.deleted ? html`<${Badge} kind="bad">deleted</${Badge}> ` : null}${p.suppressed ? html`<${Badge} kind="warn">suppressed</${Badge}>` : null}${!p.deleted && !p.suppressed ? html`<${Badge} kind="ok">active</${Badge}>` : null}</td>
          <td>${p.devices.length}</td><td>${p.events}</td></tr>`)}
      </table>
      <div>${picked ? html`<${Person} cioId=${picked} key=${picked} />` : html`<p class="muted">Pick a person.</p>`}</div>
    </div>
    <${Activity} />`;
}
