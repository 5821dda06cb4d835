/**
 * Replay view: pick a recording from fixtures/recordings or upload a HAR, replay it against the stack's gateway with
 * `npm run replay`'s engine, and follow each entry's verdict and differences.
 *
 *   GET  /api/replay/fixtures                  the committed recordings (name, entries, bytes)
 *   POST /api/replay                           {"fixture": "cards.har"} or {"har": "<HAR text>", "name"?} [, "only"]
 *                                              → 202 {id, total}; a HAR that is not one is a 400 naming why
 *   GET  /api/replay                           the last runs
 *   GET  /api/replay/:id                       one run: entries with verdicts and diffs, the CLI's output
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarError, parseHar } from '../../../scripts/lib/replay/har.ts';
import { bad, field, int, missing, text, type ApiRoute } from '../app.ts';
import type { ConsoleDeps } from '../deps.ts';

export const RECORDINGS = fileURLToPath(new URL('../../../fixtures/recordings/', import.meta.url));
const FIXTURE = /^[\w.-]{1,100}\.har$/;
/** An uploaded HAR (a browser export of a session can be large). */
const MAX_HAR_BYTES = 20 * 1024 * 1024;

function parse(textOf: string, name: string) {
  try {
    const entries = parseHar(textOf, name);
    if (!entries.length) throw bad('empty_har', `${name} has no entries to replay`);
    return entries;
  } catch (e) {
    if (e instanceof HarError) throw bad('invalid_har', e.message);
    throw e;
  }
}

export const replayRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/replay/fixtures',
    handler: async () => {
      const files = readdirSync(RECORDINGS).filter((f) => FIXTURE.test(f)).sort();
      const fixtures = files.map((f) => {
        const path = join(RECORDINGS, f);
        let entries: number | null = null;
        try { entries = parseHar(readFileSync(path, 'utf8'), f).length; } catch { /* shown as unreadable */ }
        return { name: f, bytes: statSync(path).size, entries };
      });
      return { json: { fixtures } };
    },
  },
  {
    method: 'POST', path: '/api/replay', maxBodyBytes: MAX_HAR_BYTES,
    handler: async (req, deps) => {
      const fixture = field(req.json, 'fixture');
      const only = text(field(req.json, 'only'), 'only', { optional: true, max: 200 }) || undefined;
      let entries;
      let name: string;
      if (fixture !== undefined) {
        name = text(fixture, 'fixture', { max: 104, pattern: FIXTURE });
        let raw: string;
        try { raw = readFileSync(join(RECORDINGS, name), 'utf8'); } catch { return missing('fixture_not_found', `fixtures/recordings has no ${name}`); }
        entries = parse(raw, name);
      } else {
        const har = field(req.json, 'har');
        if (typeof har !== 'string') throw bad('missing_field', 'give a fixture name or the HAR file\'s text as "har"');
        name = text(field(req.json, 'name'), 'name', { optional: true, max: 200 }) || 'upload.har';
        entries = parse(har, name);
      }
      const job = deps.replays.start(entries, name, only);
      return { status: 202, json: { id: job.id, name, total: job.total } };
    },
  },
  {
    method: 'GET', path: '/api/replay',
    handler: async (_req, deps) => ({ json: { runs: deps.replays.list().map(({ entries: _e, output: _o, ...summary }) => summary) } }),
  },
  {
    method: 'GET', path: '/api/replay/:id',
    handler: async (req, deps) => {
      const id = int(req.params.id, 'id', 1, Number.MAX_SAFE_INTEGER, 0);
      return { json: deps.replays.get(id) ?? missing('run_not_found', `no replay run ${id} (the last ${10} are kept)`) };
    },
  },
];
