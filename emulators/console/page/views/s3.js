// S3 browser (seed 002's client): buckets, folders with breadcrumbs and paging, metadata and versions, presigned
// downloads, and a folder or a selection as one ZIP made in the browser (client-zip) with a progress bar.
import { useState } from 'preact/hooks';
import { downloadZip } from 'client-zip';
import { api, Badge, bytes, ErrorBox, html, Loading, time, useApi } from '../lib.js';

const PAGE = 50;

function ObjectInfo({ bucket, objectKey }) {
  const state = useApi(`/api/s3/object?${new URLSearchParams({ bucket, key: objectKey })}`);
  const [error, setError] = useState();
  const o = state.data;
  if (!o) return html`<${Loading} state=${state} />`;
  const download = async (versionId) => {
    setError(undefined);
    try {
      const { url } = await api(`/api/s3/url?${new URLSearchParams({ bucket, key: objectKey, ...(versionId ? { versionId } : {}) })}`);
      location.assign(url); // the presigned URL answers with Content-Disposition: attachment
    } catch (e) { setError(e); }
  };
  return html`<div class="card object-info">
    <h3 class="mono">${objectKey.split('/').pop()}</h3>
    <table class="kv"><tr><th>key</th><td>${o.key}</td></tr><tr><th>size</th><td>${bytes(o.size)} (${o.size} bytes)</td></tr><tr><th>type</th><td>${o.contentType}</td></tr>
      <tr><th>ETag</th><td class="etag">${o.etag}</td></tr><tr><th>last modified</th><td>${time(o.lastModified)}</td></tr>${o.versionId ? html`<tr><th>version</th><td>${o.versionId}</td></tr>` : null}
      ${Object.entries(o.metadata).map(([k, v]) => html`<tr><th>x-amz-meta-${k}</th><td>${v}</td></tr>`)}</table>
    <div class="row"><button class="primary" onClick=${() => download()}>download (presigned URL)</button></div>
    <${ErrorBox} error=${error} />
    ${o.versions.length > 1 || o.versions.some((v) => v.deleteMarker) ? html`<h3>Versions</h3><table class="versions"><tr><th>version</th><th>modified</th><th>size</th><th></th></tr>
      ${o.versions.map((v) => html`<tr><td class="mono">${v.versionId}${v.latest ? html` <${Badge} kind="info">latest</${Badge}>` : null}</td><td>${time(v.lastModified)}</td>
        <td>${v.deleteMarker ? html`<${Badge} kind="warn">delete marker</${Badge}>` : bytes(v.size)}</td><td>${v.deleteMarker ? null : html`<button class="link" onClick=${() => download(v.versionId)}>download</button>`}</td></tr>`)}</table>` : null}
  </div>`;
}

/** A ZIP of presigned downloads, fetched from the edge and streamed into one archive, bytes counted as they come. */
async function zipDownload(bundle, onProgress) {
  let done = 0;
  async function* files() {
    for (const f of bundle.files) {
      let res;
      try {
        res = await fetch(f.url);
      } catch {
        throw Object.assign(new Error(`The browser could not read s3://${bundle.bucket}/${f.key} from ${bundle.origin}: the bucket's CORS rules do not let this console's origin (${location.origin}) fetch its objects.`), { cors: true });
      }
      if (!res.ok) throw new Error(`s3://${bundle.bucket}/${f.key}: the edge answered ${res.status}`);
      const counted = res.body.pipeThrough(new TransformStream({ transform(chunk, c) { done += chunk.length; onProgress(done); c.enqueue(chunk); } }));
      yield { name: f.name, input: counted, size: f.size };
    }
  }
  const blob = await downloadZip(files()).blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = bundle.zipName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  return blob.size;
}

function Folder({ bucket, prefix, go }) {
  const [tokens, setTokens] = useState(['']);
  const token = tokens[tokens.length - 1];
  const state = useApi(`/api/s3/list?${new URLSearchParams({ bucket, prefix, token, max: String(PAGE) })}`);
  const [picked, setPicked] = useState(new Set());
  const [info, setInfo] = useState();
  const [zip, setZip] = useState();
  const list = state.data;
  const toggle = (k) => setPicked((p) => {
    const n = new Set(p);
    if (n.has(k)) n.delete(k); else n.add(k);
    return n;
  });
  const bundle = async (what) => {
    setZip({ phase: 'listing' });
    try {
      const b = await api('/api/s3/bundle', { method: 'POST', json: { bucket, ...what } });
      setZip({ phase: 'zipping', done: 0, total: b.bytes, files: b.files.length, name: b.zipName });
      const size = await zipDownload(b, (done) => setZip((z) => ({ ...z, done })));
      setZip({ phase: 'done', total: b.bytes, files: b.files.length, name: b.zipName, size });
    } catch (error) {
      setZip({ phase: 'error', error });
    }
  };
  const allowCors = async () => {
    try {
      await api('/api/s3/cors', { method: 'POST', json: { bucket } });
      setZip({ phase: 'cors-added' });
    } catch (error) { setZip({ phase: 'error', error }); }
  };
  return html`
    <div class="row">
      <button onClick=${() => bundle({ prefix })}>download this folder as ZIP</button>
      <button disabled=${!picked.size} onClick=${() => bundle({ keys: [...picked] })}>download selection as ZIP (${picked.size})</button>
      ${zip?.phase === 'listing' ? html`<span class="muted">listing…</span>` : null}
      ${zip?.phase === 'zipping' ? html`<progress class="zip-progress" max=${zip.total || 1} value=${zip.done}></progress> <span class="muted">${bytes(zip.done)} of ${bytes(zip.total)} · ${zip.files} files</span>` : null}
      ${zip?.phase === 'done' ? html`<progress class="zip-progress" max="1" value="1"></progress> <span class="zip-done">${zip.name}: ${zip.files} files, ${bytes(zip.size)}</span>` : null}
      ${zip?.phase === 'cors-added' ? html`<span class="notice">This console may now download from ${bucket}: try again.</span>` : null}
    </div>
    ${zip?.phase === 'error' ? html`<${ErrorBox} error=${zip.error}>${zip.error.cors ? html` <button onClick=${allowCors}>allow this console on ${bucket}</button>` : null}</${ErrorBox}>` : null}
    <${Loading} state=${state} />
    <div class="split">
      <table class="listing"><tr><th></th><th>name</th><th>size</th><th>modified</th></tr>
        ${(list?.folders ?? []).map((f) => html`<tr class="clickable folder" data-key=${f}><td><input type="checkbox" checked=${picked.has(f)} onClick=${(e) => { e.stopPropagation(); toggle(f); }} /></td>
          <td onClick=${() => go(f)}>📁 <a>${f.slice(prefix.length)}</a></td><td></td><td></td></tr>`)}
        ${(list?.objects ?? []).map((o) => html`<tr class=${`clickable object ${info === o.key ? 'selected' : ''}`} data-key=${o.key}><td><input type="checkbox" checked=${picked.has(o.key)} onClick=${(e) => { e.stopPropagation(); toggle(o.key); }} /></td>
          <td onClick=${() => setInfo(o.key)}>${o.key.slice(prefix.length)}</td><td>${bytes(o.size)}</td><td>${time(o.lastModified)}</td></tr>`)}
      </table>
      <div>${info ? html`<${ObjectInfo} bucket=${bucket} objectKey=${info} key=${info} />` : html`<p class="muted">Pick a file for its metadata, versions and download.</p>`}</div>
    </div>
    <div class="row">
      <button disabled=${tokens.length < 2} onClick=${() => setTokens(tokens.slice(0, -1))}>previous page</button>
      <button disabled=${!list?.next} onClick=${() => setTokens([...tokens, list.next])}>next page</button>
      <span class="muted">page ${tokens.length} · ${PAGE} per page</span>
    </div>`;
}

export default function S3() {
  const buckets = useApi('/api/s3/buckets');
  const [bucket, setBucket] = useState();
  const [prefix, setPrefix] = useState('');
  const [typed, setTyped] = useState('');
  const open = (b) => { setBucket(b); setPrefix(''); };
  const parts = prefix.split('/').filter(Boolean);
  return html`
    <div class="row"><h2>S3</h2>
      ${(buckets.data?.buckets ?? []).map((b) => html`<button class=${`bucket ${bucket === b.name ? 'primary' : ''}`} onClick=${() => open(b.name)}>${b.name} ${b.versioning === 'Enabled' ? html`<${Badge} kind="info">versioned</${Badge}>` : null}</button>`)}
      <input placeholder="other bucket" value=${typed} onInput=${(e) => setTyped(e.target.value)} name="bucket" /><button onClick=${() => typed && open(typed.trim())}>open</button>
    </div>
    <${Loading} state=${buckets} />
    ${bucket ? html`
      <div class="crumbs row"><a onClick=${() => setPrefix('')}>${bucket}</a>${parts.map((p, i) => html`<span class="sep">/</span><a onClick=${() => setPrefix(`${parts.slice(0, i + 1).join('/')}/`)}>${p}</a>`)}</div>
      <${Folder} bucket=${bucket} prefix=${prefix} go=${setPrefix} key=${`${bucket}/${prefix}`} />` : html`<p class="muted">Pick a bucket.</p>`}`;
}
