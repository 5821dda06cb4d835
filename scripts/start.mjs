#!/usr/bin/env node
/**
 * `npm start` launcher: compiles the stack once with esbuild (emulators/stack/compile.mjs: cached, rebuilt only
 * when a source changes) and runs its supervisor, which starts every service in a process of its own from the
 * same compiled code. `GATEHOUSE_NO_BUILD=1` runs scripts/start.ts and every service through tsx instead.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, compiledStack } from '../emulators/stack/compile.mjs';

if (process.env.GATEHOUSE_NO_BUILD) {
  await import('tsx/esm');
  await import(pathToFileURL(join(ROOT, 'scripts/start.ts')).href);
} else {
  await import(pathToFileURL(join(await compiledStack({ stopBuilder: true }), 'start.mjs')).href);
}
