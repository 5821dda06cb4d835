// Trace: mobile requests as they happen (newest first), each opening into its hops: gateway → proxy → upstreams;
// a request the gateway refused (JWT, API key, usage plan…) is a row of its own with the gateway's hop only.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api, Badge, ErrorBox, html, Loading, Message, statusKind, time, useApi, useEvent } from '../lib.js';

function identity(hop) {
  if (!hop) return html`<span class="muted">—</span>`;
  const jwt = hop.jwt;
  const key = hop.apiKey;
  const parts = [];
  if (jwt?.user) parts.push(html`<span>JWT <b>${jwt.user}</b></span>`);
  else if (jwt?.refused) parts.push(html`<${Badge} kind="bad">JWT refused: ${jwt.refused}</${Badge}>`);
  if (key) parts.push(html`<span>API key ${key.keyId ? html`<code>${key.keyId}</code>` : html`<span class="muted">none known</span>`}${key.usagePlanId ? ` (${key.usagePlanId})` : ''} <${Badge} kind=${key.verdict === 'ok' ? 'ok' : 'bad'}>${key.verdict}</${Badge}></span>`);
  if (!parts.length) parts.push(html`<span class="muted">anonymous</span>`);
  return parts;
}

// Which gateway check stopped a request (emulators/gateway/refusals.ts).
const CHECKS = { jwt: 'JWT', api_key: 'API key', usage_plan: 'usage plan', request_target: 'request target', proxy_unreachable: 'proxy unreachable' };
const checkOf = (g) => CHECKS[g.refusedBy] ?? g.refusedBy;

/** Newest first by arrival time, wherever the row came from (the proxy's stream or the gateway's refusals). */
function insert(rows, row) {
  const at = rows.findIndex((x) => x.time <= row.time);
  return (at < 0 ? [...rows, row] : [...rows.slice(0, at), row, ...rows.slice(at)]).slice(0, 500);
}

/** A request the gateway answered itself: its hop, and no proxy hop. */
function RefusedHops({ row }) {
  const g = row.gateway;
  return html`<div class="hops">
    <div class="hop gateway refused"><h4>gateway · stopped here</h4>
      <div class="facts"><${Badge} kind="bad">refused by ${checkOf(g)}</${Badge}><span class="reason">${g.reason}</span></div>
      <div class="facts">${identity(g.hop)}<span class="muted">not signed, not forwarded</span>
        ${g.hop?.trace ? html`<span>trace ${g.hop.trace}</span>` : null}
        <${Badge} kind=${statusKind(g.status)}>${g.status}</${Badge}><span>${g.ms} ms</span></div>
      <${Message} title="request" message=${g.request} />
      <${Message} title="response" message=${g.response} />
    </div>
    <div class="hop proxy none"><span class="muted">no proxy hop: the gateway answered this request itself, so the proxy and the fakes never saw it</span></div>
  </div>`;
}

function NearMiss({ miss }) {
  return html`<div class="near-miss"><${Badge} kind="bad">near miss</${Badge}> ${miss.reason}${miss.closest?.length ? html` — closest: ${miss.closest.map((c) => html`<code>${c.method} ${c.route}</code> <span class="muted">(${c.why})</span> `)}` : null}</div>`;
}

function Hops({ row }) {
  const g = row.gateway;
  return html`<div class="hops">
    <div class="hop gateway"><h4>gateway</h4>
      ${g === undefined ? html`<span class="muted">joining the gateway's journal…</span>` : g === null ? html`<span class="muted">not in the gateway's journal (sent to the proxy directly?)</span>` : html`
      <div class="facts">${identity(g.hop)}
        ${g.hop?.signature ? html`<span>signed with <code>${g.hop.signature.keyId}</code></span>` : html`<span class="muted">not signed</span>`}
        <span>trace ${g.hop?.trace ?? ''}</span>
        ${g.status ? html`<${Badge} kind=${statusKind(g.status)}>${g.status}</${Badge}>` : null}${g.ms !== undefined ? html`<span>${g.ms} ms</span>` : null}</div>`}
    </div>
    <div class="hop proxy"><h4>proxy · ${row.function}</h4>
      <div class="facts"><span><code>${row.method} ${row.route ?? row.path}</code></span><${Badge} kind=${statusKind(row.status)}>${row.status}</${Badge}><span>${row.ms} ms</span><span class="muted">request ${row.requestId ?? ''}</span></div>
      <${Message} title="request" message=${row.request} />
      <${Message} title="response" message=${row.response} />
    </div>
    ${row.upstream.map((c, i) => {
      const seen = row.seen?.[i];
      return html`<div class=${`hop upstream ${seen?.nearMiss ? 'nearmiss' : ''}`} data-upstream=${c.upstream}><h4>${c.upstream}</h4>
        <div class="facts"><span><code>${c.method} ${c.path}</code></span>
          ${c.status ? html`<${Badge} kind=${statusKind(c.status)}>${c.status}</${Badge}>` : html`<${Badge} kind="bad">${c.error?.name ?? 'no answer'}</${Badge}> <span class="error-inline">${c.error?.message ?? ''}</span>`}
          <span>${c.ms} ms</span>${seen ? html`<span class="muted">seen by the fake ${seen.fake}</span>` : null}</div>
        ${seen?.nearMiss ? html`<${NearMiss} miss=${seen.nearMiss} />` : null}
        <${Message} title="request" message=${c.request} />
        <${Message} title="response" message=${c.response} />
      </div>`;
    })}
    ${row.upstream.length === 0 ? html`<div class="hop upstream"><span class="muted">no upstream calls</span></div>` : null}
    ${row.joinError ? html`<${ErrorBox} error=${{ message: `some hops could not be joined: ${row.joinError}` }} />` : null}
  </div>`;
}

function NearMisses() {
  const state = useApi('/api/near-misses');
  const misses = state.data?.misses ?? [];
  return html`<div class="card"><div class="row"><h3>Near misses</h3><button onClick=${state.reload}>refresh</button></div>
    <${Loading} state=${state} />
    ${state.data?.problems?.length ? html`<${ErrorBox} error=${{ message: state.data.problems.join('\n') }} />` : null}
    ${misses.length ? html`<table><tr><th>fake</th><th>time</th><th>request</th><th>closest routes</th></tr>
      ${misses.map((m) => html`<tr><td>${m.fake}</td><td>${time(m.entry.time)}</td><td><code>${m.entry.method} ${m.entry.path}</code> → ${m.entry.status}</td>
        <td>${m.entry.nearMiss.reason}: ${m.entry.nearMiss.closest.map((c) => html`<div><code>${c.method} ${c.route}</code> <span class="muted">${c.why}</span></div>`)}</td></tr>`)}</table>`
      : state.data ? html`<p class="muted">No fake has seen a request it could not route.</p>` : null}
  </div>`;
}

export default function Trace() {
  const state = useApi('/api/traces');
  const [rows, setRows] = useState(null);
  const [feed, setFeed] = useState(undefined);
  const [open, setOpen] = useState(new Set());
  const [misses, setMisses] = useState(false);
  const list = rows ?? state.data?.traces ?? [];
  const status = feed !== undefined ? feed : state.data?.status;
  useEvent('trace', (row) => {
    setFeed(null); // a record came: the feed is connected
    setRows((r) => insert(r ?? state.data?.traces ?? [], row));
  }, [state.data]);
  useEvent('trace-hops', (u) => setRows((r) => (r ?? state.data?.traces ?? []).map((x) => (x.id === u.id ? { ...x, ...u } : x))), [state.data]);
  useEvent('trace-status', (s) => setFeed(s.status), []);
  const toggle = (id) => setOpen((o) => {
    const n = new Set(o);
    if (n.has(id)) n.delete(id); else n.add(id);
    return n;
  });
  const refresh = async (id) => {
    const row = await api(`/api/traces/${id}`);
    setRows((r) => (r ?? list).map((x) => (x.id === id ? row : x)));
  };
  return html`
    <div class="row"><h2>Requests through the gateway</h2><span class="muted">newest first · live</span>
      <button onClick=${() => setMisses(!misses)}>${misses ? 'hide' : 'show'} near misses</button></div>
    ${status ? html`<div class="notice">${status}</div>` : null}
    ${misses ? html`<${NearMisses} />` : null}
    <${Loading} state=${state} />
    <table class="traces">
      <tr><th>time</th><th>request</th><th>status</th><th>function</th><th>who</th><th>upstream calls</th><th>ms</th></tr>
      ${list.map((row) => html`<${Fragment} key=${row.id}>
        ${row.stoppedAt === 'gateway' ? html`<tr class="clickable trace-row refused" data-trace=${row.traceId} data-stopped="gateway" onClick=${() => toggle(row.id)}>
          <td>${time(row.time)}</td>
          <td><code>${row.method} ${row.path}</code></td>
          <td><${Badge} kind=${statusKind(row.status)}>${row.status}</${Badge}></td>
          <td><${Badge} kind="bad">stopped at gateway</${Badge}></td>
          <td>${identity(row.gateway.hop)}</td>
          <td><span class="muted">refused by ${checkOf(row.gateway)}: ${row.gateway.reason}</span></td>
          <td>${row.ms}</td>
        </tr>` : html`<tr class="clickable trace-row" data-trace=${row.traceId} onClick=${() => toggle(row.id)}>
          <td>${time(row.time)}</td>
          <td><code>${row.method} ${row.path}</code>${row.route && row.route !== row.path ? html` <span class="muted mono">${row.route}</span>` : null}</td>
          <td><${Badge} kind=${statusKind(row.status)}>${row.status}</${Badge}></td>
          <td>${row.function}</td>
          <td>${row.gateway ? identity(row.gateway.hop) : html`<span class="muted">…</span>`}</td>
          <td>${row.upstream.map((c, i) => html`<${Badge} kind=${row.seen?.[i]?.nearMiss ? 'bad' : statusKind(c.status)}>${c.upstream} ${c.status ?? '×'}</${Badge}> `)}</td>
          <td>${row.ms}</td>
        </tr>`}
        ${open.has(row.id) ? html`<tr class="expanded"><td colspan="7">${row.stoppedAt === 'gateway'
          ? html`<div class="row"><span class="muted mono">trace ${row.traceId ?? '(none: the request target did not parse)'}</span></div><${RefusedHops} row=${row} />`
          : html`<div class="row"><span class="muted mono">trace ${row.traceId}</span><button class="link" onClick=${() => refresh(row.id)}>join hops again</button></div><${Hops} row=${row} />`}</td></tr>` : null}</${Fragment}>`)}
    </table>
    ${!list.length && !state.loading ? html`<p class="muted">No request yet. Send one through the gateway, e.g. <code>curl -X POST <gateway>/events -H 'content-type: application/json' -d '{"name":"app_opened","anonymous_id":"device-1"}'</code></p>` : null}`;
}
