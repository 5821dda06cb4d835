/**
 * Named points where a test may kill the process, to prove that what was written before them survives and what
 * comes after is recovered (failpoints, as FoundationDB's BUGGIFY or TiKV's fail-rs do it). With
 * GATEHOUSE_CRASH_AT=<name> the process sends itself SIGKILL when it reaches that point: no handler, no flush,
 * no finally — a `kill -9` at exactly that instant. Unset (always, outside the crash tests) it does nothing.
 */
export function crashPoint(name: string): void {
  if (process.env.GATEHOUSE_CRASH_AT === name) process.kill(process.pid, 'SIGKILL');
}
