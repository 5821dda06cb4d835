// What every view shares: htm bound to Preact, the API client, the live event stream, and small components.
import { h } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

/** JSON from the console's API; a refusal throws an Error carrying the API's own message. */
export async function api(path, { method = 'GET', json } = {}) {
  let res;
  try {
    res = await fetch(path, { method, headers: json === undefined ? {} : { 'content-type': 'application/json' }, body: json === undefined ? undefined : JSON.stringify(json) });
  } catch (e) {
    throw new Error(`the console did not answer (${e.message}); is npm start still running?`);
  }
  const text = await res.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = text; }
  if (!res.ok) throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  return body;
}

/** Data from the API for a view: reloaded when `key` changes or on `reload()`. */
export function useApi(path, key = path) {
  const [state, setState] = useState({ loading: true });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (!path) return setState({ loading: false });
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    api(path).then((data) => mine === seq.current && setState({ data, loading: false }), (error) => mine === seq.current && setState({ error, loading: false }));
  }, [key]);
  useEffect(load, [load]);
  return { ...state, reload: load };
}

// One EventSource for the page: views subscribe by event kind.
const listeners = new Map();
let source;
export function onEvent(kind, fn) {
  if (!source) {
    source = new EventSource('/api/events');
    source.onopen = () => document.body.classList.remove('offline');
    source.onerror = () => document.body.classList.add('offline');
  }
  let set = listeners.get(kind);
  if (!set) {
    listeners.set(kind, (set = new Set()));
    source.addEventListener(kind, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch { return; }
      for (const l of listeners.get(kind)) l(data);
    });
  }
  set.add(fn);
  return () => set.delete(fn);
}

export function useEvent(kind, fn, deps = []) {
  useEffect(() => onEvent(kind, fn), deps);
}

export const ErrorBox = ({ error, children }) => error ? html`<div class="error" role="alert">${error.message ?? String(error)}${children}</div>` : null;

export const Loading = ({ state }) => state.loading && !state.data ? html`<p class="muted">Loading…</p>` : html`<${ErrorBox} error=${state.error} />`;

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  const u = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${u[i]}`;
}

export const time = (t) => {
  if (!t) return '—';
  const d = typeof t === 'number' ? new Date(t < 1e12 ? t * 1000 : t) : new Date(t);
  return isNaN(d) ? String(t) : d.toLocaleString(undefined, { hour12: false });
};

export const Json = ({ value }) => html`<pre class="json">${value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>`;

/** A secret shown as dots until clicked: the click reads it from the API (nothing is fetched before). */
export function Masked({ reveal, label = 'value' }) {
  const [state, setState] = useState({});
  if (state.value !== undefined) return html`<span class="secret revealed"><code>${state.value}</code> <button class="link" onClick=${() => setState({})}>hide</button></span>`;
  return html`<span class="secret"><button class="masked" title=${`reveal the ${label}`} onClick=${() => {
    setState({ busy: true });
    reveal().then((r) => setState({ value: r.value }), (error) => setState({ error }));
  }}>${state.busy ? 'reading…' : '•••••••• reveal'}</button>${state.error ? html` <span class="error-inline">${state.error.message}</span>` : null}</span>`;
}

export const Badge = ({ kind = '', children }) => html`<span class=${`badge ${kind}`}>${children}</span>`;

export const statusKind = (s) => (!s ? 'warn' : s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'ok');

/** Headers and a body of a hop, folded. */
export function Message({ title, message }) {
  if (!message) return null;
  const body = message.body;
  return html`<details class="message"><summary>${title} <span class="muted">${Object.keys(message.headers ?? {}).length} headers, ${bytes(body?.bytes ?? 0)}</span></summary>
    <table class="kv">${Object.entries(message.headers ?? {}).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
    ${body?.text !== undefined ? html`<pre class="body">${pretty(body.text)}${body.truncated ? '\n… (cut at 64 KiB)' : ''}</pre>` : body?.binary ? html`<p class="muted">binary body, ${bytes(body.bytes)}</p>` : null}
  </details>`;
}

function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}
