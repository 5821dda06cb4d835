// Replay: a recording from fixtures/recordings or an uploaded HAR, replayed against the stack by npm run replay's
// engine; each entry's verdict and differences as they come, and the CLI's own output.
import { useState } from 'preact/hooks';
import { api, Badge, ErrorBox, html, Loading, useApi, useEvent } from '../lib.js';

const kind = { pass: 'ok', fail: 'bad', error: 'bad' };

export default function Replay() {
  const fixtures = useApi('/api/replay/fixtures');
  const [fixture, setFixture] = useState('');
  const [only, setOnly] = useState('');
  const [run, setRun] = useState();
  const [error, setError] = useState();
  useEvent('replay', (e) => setRun((r) => (r && r.id === e.id ? { ...r, done: e.done, total: e.total, entries: [...r.entries, e.entry].sort((a, b) => a.index - b.index) } : r)), []);
  useEvent('replay-output', (e) => setRun((r) => (r && r.id === e.id ? { ...r, output: r.output + e.text } : r)), []);
  useEvent('replay-done', (e) => setRun((r) => (r && r.id === e.id ? { ...r, finished: true, code: e.code, error: e.error } : r)), []);
  const start = async (body) => {
    setError(undefined);
    try {
      const started = await api('/api/replay', { method: 'POST', json: { ...body, ...(only ? { only } : {}) } });
      setRun({ id: started.id, name: started.name, total: started.total, done: 0, entries: [], output: '', finished: false });
    } catch (e) { setError(e); }
  };
  const upload = async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    start({ har: await file.text(), name: file.name });
    e.target.value = '';
  };
  const counts = run ? run.entries.reduce((c, x) => ({ ...c, [x.verdict]: (c[x.verdict] ?? 0) + 1 }), {}) : {};
  return html`
    <div class="row"><h2>Replay a capture</h2></div>
    <div class="card"><div class="row">
      <select value=${fixture} onChange=${(e) => setFixture(e.target.value)} name="fixture"><option value="">a recording from fixtures/recordings…</option>
        ${(fixtures.data?.fixtures ?? []).map((f) => html`<option value=${f.name}>${f.name} (${f.entries ?? '?'} entries)</option>`)}</select>
      <button class="primary" disabled=${!fixture} onClick=${() => start({ fixture })}>replay</button>
      <span class="muted">or</span> <label>upload a HAR <input type="file" accept=".har,application/json" onChange=${upload} name="har" /></label>
      <input placeholder="only (glob, e.g. POST /cards/**)" value=${only} onInput=${(e) => setOnly(e.target.value)} name="only" size="28" />
    </div><${Loading} state=${fixtures} /><${ErrorBox} error=${error} /></div>
    ${run ? html`<div class="card replay-run" data-finished=${String(run.finished)}>
      <div class="row"><h3>${run.name}</h3><progress max=${run.total || 1} value=${run.done}></progress><span>${run.done}/${run.total}</span>
        <${Badge} kind="ok">${counts.pass ?? 0} passed</${Badge}><${Badge} kind="bad">${counts.fail ?? 0} failed</${Badge}><${Badge} kind="bad">${counts.error ?? 0} errors</${Badge}>
        ${run.finished ? html`<${Badge} kind=${run.code === 0 ? 'ok' : 'bad'}>${run.code === 0 ? 'all matched' : 'differences'}</${Badge}>` : html`<span class="muted">running…</span>`}</div>
      <${ErrorBox} error=${run.error ? { message: run.error } : undefined} />
      <table class="verdicts"><tr><th>#</th><th>request</th><th>user</th><th>verdict</th><th>ms</th></tr>
        ${run.entries.map((e) => html`<tr key=${e.index} data-verdict=${e.verdict}><td>${e.index}</td><td><code>${e.method} ${e.path}</code>${e.diff || e.error ? html`<pre class="diff">${e.error ? `error: ${e.error}` : e.diff}</pre>` : null}</td><td class="mono">${e.lane}</td><td><${Badge} kind=${kind[e.verdict]}>${e.verdict}</${Badge}></td><td>${e.ms}</td></tr>`)}</table>
      <h3>As npm run replay prints it</h3><pre class="output">${run.output}</pre>
    </div>` : null}`;
}
