import { expressAdapter } from '../../proxy/adapters/express.ts';
import type { App } from '../../proxy/core/app.ts';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';

/** Serve an app through the Express adapter on a free loopback port. */
export function serveApp(app: App): Promise<Listening> {
  return listen(expressAdapter(app), 0);
}
