/** The gateway's model: which function serves which path prefix, and the invocation statistics. No HTTP here. */
import type { Flavour } from './events.ts';
import { EnvOverlay } from './env.ts';
import { LambdaFunction, type FunctionSpec, type FunctionStats } from './runtime.ts';

export interface GatewayStats {
  flavour: Flavour;
  coldStarts: number;
  invocations: number;
  lastInitDurationMs: number | null;
  functions: FunctionStats[];
}

interface Route { prefix: string; fn: LambdaFunction }

const normalisePrefix = (p: string | undefined): string => {
  const s = (p ?? '/').replace(/\/+$/, '');
  return s.startsWith('/') || s === '' ? s : `/${s}`;
};

export class ApiGatewayState {
  readonly env = new EnvOverlay();
  private readonly routes: Route[];
  private lastInitMs: number | null = null;

  constructor(readonly flavour: Flavour, specs: FunctionSpec[], log: (line: string) => void) {
    if (specs.length === 0) throw new Error('startApiGateway needs at least one function');
    const names = new Set<string>();
    this.routes = specs.map((spec) => {
      if (names.has(spec.name)) throw new Error(`function "${spec.name}" is listed twice`);
      names.add(spec.name);
      return { prefix: normalisePrefix(spec.pathPrefix), fn: new LambdaFunction(spec, this.env, { log, onColdStart: (ms) => { this.lastInitMs = ms; } }) };
    });
    // Longest prefix first, so "/cards" wins over "/" for /cards/…
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The function whose prefix matches the path on a segment boundary. */
  match(path: string): LambdaFunction | undefined {
    return this.routes.find(({ prefix }) => prefix === '' || path === prefix || path.startsWith(`${prefix}/`))?.fn;
  }

  routeKey(fn: LambdaFunction): string {
    const prefix = this.routes.find((r) => r.fn === fn)?.prefix ?? '';
    return prefix === '' ? '$default' : `ANY ${prefix}/{proxy+}`;
  }

  stats(): GatewayStats {
    const functions = this.routes.map((r) => ({ ...r.fn.stats })).sort((a, b) => a.name.localeCompare(b.name));
    return {
      flavour: this.flavour,
      coldStarts: functions.reduce((n, f) => n + f.coldStarts, 0),
      invocations: functions.reduce((n, f) => n + f.invocations, 0),
      lastInitDurationMs: this.lastInitMs,
      functions,
    };
  }

  reset(): void {
    for (const r of this.routes) r.fn.resetStats();
    this.lastInitMs = null;
  }
}
