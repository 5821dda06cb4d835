// AWS resources, Vault and Extend: tables, queues, parameters and secrets (masked until clicked), the CloudFront
// edge's counters, Vault's KV tree (masked), Extend's users, cards and transactions.
import { useState } from 'preact/hooks';
import { api, Badge, bytes, ErrorBox, html, Json, Loading, Masked, time, useApi } from '../lib.js';

function Dynamo() {
  const tables = useApi('/api/aws/dynamodb');
  const [table, setTable] = useState();
  const [starts, setStarts] = useState(['']);
  const start = starts[starts.length - 1];
  const items = useApi(table ? `/api/aws/dynamodb/${encodeURIComponent(table)}?${new URLSearchParams({ limit: '25', ...(start ? { start } : {}) })}` : null);
  const pick = (t) => { setTable(t); setStarts(['']); };
  return html`<${Loading} state=${tables} />
    <table><tr><th>table</th><th>keys</th><th>items</th></tr>${(tables.data?.tables ?? []).map((t) => html`<tr class=${`clickable ${table === t.name ? 'selected' : ''}`} onClick=${() => pick(t.name)} data-table=${t.name}><td>${t.name}</td><td class="mono">${t.keys.join(', ')}</td><td>${t.items ?? '—'}</td></tr>`)}</table>
    ${table ? html`<h3>${table}</h3><${Loading} state=${items} />
      ${items.data ? html`${items.data.items.length ? html`<${Json} value=${items.data.items} />` : html`<p class="muted">no items</p>`}
      <div class="row"><button disabled=${starts.length < 2} onClick=${() => setStarts(starts.slice(0, -1))}>previous</button><button disabled=${!items.data.next} onClick=${() => setStarts([...starts, items.data.next])}>next</button><span class="muted">page ${starts.length}, 25 per page</span></div>` : null}` : null}`;
}

function Sqs() {
  const state = useApi('/api/aws/sqs');
  const [peek, setPeek] = useState();
  const [msg, setMsg] = useState();
  const look = async (q) => {
    setPeek({ queue: q.name, loading: true });
    try { setPeek({ queue: q.name, ...(await api(`/api/aws/sqs/messages?queue=${encodeURIComponent(q.url)}`)) }); } catch (error) { setPeek({ queue: q.name, error }); }
  };
  const redrive = async (q) => {
    setMsg(undefined);
    try {
      const r = await api('/api/aws/sqs/redrive', { method: 'POST', json: { queue: q.url } });
      setMsg({ text: `moved ${r.moved} message(s) from ${q.name} back to ${r.to.split('/').pop()}` });
    } catch (error) { setMsg({ error }); }
    state.reload();
  };
  return html`<div class="row"><button onClick=${state.reload}>refresh</button></div><${Loading} state=${state} />
    ${msg?.text ? html`<div class="notice">${msg.text}</div>` : null}<${ErrorBox} error=${msg?.error} />
    <table><tr><th>queue</th><th>visible</th><th>in flight</th><th>dead-letter queue</th><th></th></tr>
      ${(state.data?.queues ?? []).map((q) => html`<tr data-queue=${q.name}><td>${q.name}${q.sources.length ? html` <${Badge} kind="warn">DLQ of ${q.sources.join(', ')}</${Badge}>` : null}</td>
        <td>${q.visible}</td><td>${q.inFlight}</td><td>${q.dlqArn ? html`${q.dlqArn.split(':').pop()} <span class="muted">after ${q.maxReceiveCount} receives</span>` : '—'}</td>
        <td><button onClick=${() => look(q)}>messages</button>${q.sources.length ? html` <button disabled=${!q.visible} onClick=${() => redrive(q)}>redrive</button>` : null}</td></tr>`)}</table>
    ${peek ? html`<h3>${peek.queue}</h3>${peek.loading ? html`<p class="muted">Loading…</p>` : null}<${ErrorBox} error=${peek.error} />${peek.messages ? (peek.messages.length ? html`<${Json} value=${peek.messages} />` : html`<p class="muted">empty</p>`) : null}` : null}`;
}

function Ssm() {
  const state = useApi('/api/aws/ssm');
  return html`<${Loading} state=${state} /><table class="parameters"><tr><th>parameter</th><th>type</th><th>version</th><th>modified</th><th>value</th></tr>
    ${(state.data?.parameters ?? []).map((p) => html`<tr data-name=${p.name}><td class="mono">${p.name}</td><td>${p.type}</td><td>${p.version}</td><td>${time(p.lastModified)}</td>
      <td><${Masked} key=${p.name} reveal=${() => api('/api/aws/ssm/reveal', { method: 'POST', json: { name: p.name } })} /></td></tr>`)}</table>`;
}

function Secrets() {
  const state = useApi('/api/aws/secrets');
  return html`<${Loading} state=${state} /><table class="secrets"><tr><th>secret</th><th>description</th><th>changed</th><th>value</th></tr>
    ${(state.data?.secrets ?? []).map((s) => html`<tr data-name=${s.name}><td class="mono">${s.name}</td><td>${s.description ?? ''}</td><td>${time(s.lastChanged)}</td>
      <td>${s.deleted ? html`<${Badge} kind="warn">scheduled for deletion</${Badge}>` : html`<${Masked} key=${s.name} reveal=${() => api('/api/aws/secrets/reveal', { method: 'POST', json: { name: s.name } })} />`}</td></tr>`)}</table>`;
}

function CloudFront() {
  const state = useApi('/api/cloudfront');
  const c = state.data;
  return html`<div class="row"><button onClick=${state.reload}>refresh</button></div><${Loading} state=${state} />${c ? html`
    <div class="row"><${Badge} kind="info">${c.requests} requests</${Badge}><${Badge} kind="ok">${c.cache.hits} hits</${Badge}><${Badge} kind="warn">${c.cache.misses} misses</${Badge}>
      <${Badge} kind="bad">${Object.values(c.denials?.counts ?? {}).reduce((a, b) => a + b, 0)} denials</${Badge}><span class="muted">${c.cache.entries} cached, ${bytes(c.cache.bytes)} · key pair ${c.keyPairId}</span></div>
    <h3>Denials by reason</h3><${Json} value=${c.denials?.counts} />
    <h3>Recent denials</h3><${Json} value=${c.denials?.recent} />
    <h3>Distribution</h3><${Json} value=${c.distribution} />` : null}`;
}

function Vault() {
  const [at, setAt] = useState({ mount: '', path: '' });
  const tree = useApi(`/api/vault/tree?${new URLSearchParams(at)}`);
  const [secret, setSecret] = useState();
  const t = tree.data;
  const mount = t?.mount ?? at.mount;
  const open = async (key) => {
    if (key.endsWith('/')) return setAt({ mount, path: `${t.path}${key}` });
    const path = `${t.path}${key}`;
    try { setSecret(await api(`/api/vault/secret?${new URLSearchParams({ mount, path })}`)); } catch (error) { setSecret({ error }); }
  };
  return html`<div class="row">${(t?.mounts ?? []).map((m) => html`<button class=${m.mount === mount ? 'primary' : ''} onClick=${() => setAt({ mount: m.mount, path: '' })}>${m.mount}/ <span class="muted">kv v${m.version}</span></button>`)}
      <span class="crumbs mono"><a onClick=${() => setAt({ mount, path: '' })}>${mount}/</a>${(t?.path ?? '').split('/').filter(Boolean).map((p, i, all) => html`<a onClick=${() => setAt({ mount, path: `${all.slice(0, i + 1).join('/')}/` })}>${p}/</a>`)}</span></div>
    <${Loading} state=${tree} />
    <table class="vault-keys">${(t?.keys ?? []).map((k) => html`<tr class="clickable" onClick=${() => open(k)} data-key=${k}><td>${k.endsWith('/') ? '📁 ' : ''}${k}</td></tr>`)}</table>
    ${secret?.error ? html`<${ErrorBox} error=${secret.error} />` : secret ? html`<h3 class="mono">${secret.mount}/${secret.path} <span class="muted">v${secret.metadata?.version ?? ''}</span></h3>
      <table>${secret.fields.map((f) => html`<tr data-field=${f}><th>${f}</th><td><${Masked} key=${`${secret.path}/${f}`} reveal=${() => api('/api/vault/reveal', { method: 'POST', json: { mount: secret.mount, path: secret.path, field: f } })} /></td></tr>`)}</table>` : null}`;
}

function Extend() {
  const state = useApi('/api/extend');
  const [card, setCard] = useState('');
  const tx = useApi(`/api/extend/transactions${card ? `?card=${encodeURIComponent(card)}` : ''}`);
  const d = state.data;
  return html`<${Loading} state=${state} />${d ? html`
    <h3>Users</h3><table><tr><th>user</th><th>email</th><th>organisation</th><th>created</th></tr>${d.users.map((u) => html`<tr><td>${u.firstName} ${u.lastName}</td><td>${u.email}</td><td class="mono">${u.organizationId}</td><td>${time(u.createdAt)}</td></tr>`)}</table>
    <h3>Virtual cards</h3><table><tr><th>card</th><th>holder</th><th>status</th><th>limit</th><th>balance</th><th>transactions</th></tr>${d.cards.map((c) => html`<tr class=${`clickable ${card === c.id ? 'selected' : ''}`} onClick=${() => setCard(card === c.id ? '' : c.id)}><td>${c.displayName} <span class="muted mono">•••• ${c.last4}</span></td><td>${c.cardholder?.email}</td><td><${Badge} kind=${c.status === 'ACTIVE' ? 'ok' : 'warn'}>${c.status}</${Badge}></td><td>${(c.limitCents / 100).toFixed(2)} ${c.currency}</td><td>${(c.balanceCents / 100).toFixed(2)}</td><td>${c.transactionCount}</td></tr>`)}</table>
    <h3>Transactions ${card ? html`<span class="muted">of ${card}</span>` : html`<span class="muted">(all ${d.transactionCount})</span>`}</h3>
    <${Loading} state=${tx} />
    ${tx.data ? html`<table><tr><th>authorised</th><th>merchant</th><th>card</th><th>amount</th><th>status</th></tr>${tx.data.transactions.slice(0, 100).map((t) => html`<tr><td>${time(t.authedAt)}</td><td>${t.merchantName}</td><td>${t.vcnDisplayName} <span class="muted">${t.vcnLast4}</span></td><td>${(t.authBillingAmountCents / 100).toFixed(2)} ${t.authBillingCurrency}</td><td>${t.status}</td></tr>`)}</table>` : null}` : null}`;
}

const TABS = [['dynamodb', 'DynamoDB', Dynamo], ['sqs', 'SQS', Sqs], ['ssm', 'SSM parameters', Ssm], ['secrets', 'Secrets Manager', Secrets], ['cloudfront', 'CloudFront edge', CloudFront], ['vault', 'Vault KV', Vault], ['extend', 'Extend', Extend]];

export default function Aws() {
  const [tab, setTab] = useState(() => TABS.find(([t]) => location.hash === `#aws/${t}`)?.[0] ?? 'dynamodb');
  const View = TABS.find(([t]) => t === tab)[2];
  return html`<div class="tabs">${TABS.map(([t, label]) => html`<button class=${tab === t ? 'active' : ''} data-tab=${t} onClick=${() => { setTab(t); history.replaceState(null, '', `#aws/${t}`); }}>${label}</button>`)}</div>
    <div class="card"><${View} key=${tab} /></div>`;
}
