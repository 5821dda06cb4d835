// The console's shell: a tab per view, chosen by the URL's hash; each view's module loads when first opened.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, ErrorBox } from './lib.js';

const VIEWS = [
  ['stack', 'Stack'],
  ['trace', 'Trace'],
  ['mail', 'Mail'],
  ['customerio', 'Customer.io'],
  ['s3', 'S3'],
  ['aws', 'AWS & Vault'],
  ['replay', 'Replay'],
];

const current = () => {
  const name = location.hash.replace(/^#\/?/, '').split('/')[0];
  return VIEWS.some(([v]) => v === name) ? name : 'stack';
};

function App() {
  const [view, setView] = useState(current());
  const [mod, setMod] = useState({});
  useEffect(() => {
    const on = () => setView(current());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  useEffect(() => {
    if (mod[view]) return;
    import(`./views/${view}.js`).then((m) => setMod((all) => ({ ...all, [view]: m.default })), (error) => setMod((all) => ({ ...all, [view]: () => html`<${ErrorBox} error=${error} />` })));
  }, [view]);
  const View = mod[view];
  return html`
    <header>
      <h1>Gatehouse <span>console</span></h1>
      <nav>${VIEWS.map(([v, label]) => html`<a href=${`#${v}`} class=${v === view ? 'active' : ''} data-view=${v}>${label}</a>`)}</nav>
      <span class="live" title="live updates (Server-Sent Events)">live</span>
    </header>
    <main id=${`view-${view}`}><div class="view" key=${view}>${View ? html`<${View} />` : html`<p class="muted">Loading…</p>`}</div></main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the boot message
render(html`<${App} />`, root);
