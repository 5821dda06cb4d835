/**
 * Functions read their configuration from process.env at cold start. All functions of one gateway share this
 * process, so each function's variables are laid over process.env before its import and before each invocation,
 * and the original values come back on close. (Overlapping invocations of functions whose variables conflict
 * would see each other's values: give such functions separate gateways.)
 */
export class EnvOverlay {
  private readonly saved = new Map<string, string | undefined>();

  apply(env: Record<string, string> | undefined): void {
    for (const [k, v] of Object.entries(env ?? {})) {
      if (!this.saved.has(k)) this.saved.set(k, process.env[k]);
      process.env[k] = v;
    }
  }

  restore(): void {
    for (const [k, v] of this.saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    this.saved.clear();
  }
}
