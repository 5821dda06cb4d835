/**
 * The fault mix the soak puts on the fakes through their shared `/__admin/faults` API (emulators/shared/faults.ts):
 * 500, 503, 429 with Retry-After, a dropped connection, and an answer slower than the proxy's upstream timeout,
 * each an equal share of `total`. A fake tries its faults in order, each with its own ratio, so the k-th ratio is
 * conditional on the earlier ones not firing: share / (1 - k·share) makes the total exactly `total`.
 */
export interface FaultKind {
  name: string;
  spec: Record<string, unknown>;
}

export function faultKinds(upstreamTimeoutMs: number): FaultKind[] {
  return [
    { name: '500', spec: { status: 500 } },
    { name: '503', spec: { status: 503 } },
    { name: '429', spec: { status: 429, retryAfter: 1 } },
    { name: 'drop', spec: { drop: true } },
    // Answered (and, at Mailgun, acted on) only after the proxy gave up waiting.
    { name: 'slow', spec: { latencyMs: upstreamTimeoutMs + 500 } },
  ];
}

export async function installFaults(fakeUrl: string, pathPrefix: string, total: number, kinds: FaultKind[]): Promise<void> {
  await fetch(`${fakeUrl}/__admin/faults`, { method: 'DELETE' });
  if (total <= 0) return;
  const share = total / kinds.length;
  for (const [k, kind] of kinds.entries()) {
    const ratio = share / (1 - k * share);
    const res = await fetch(`${fakeUrl}/__admin/faults`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...kind.spec, ratio, match: { path: pathPrefix } }),
    });
    if (res.status !== 201) throw new Error(`${fakeUrl} refused the ${kind.name} fault: ${res.status} ${await res.text()}`);
  }
}

/** How often each fault fired, by kind, from the fake's own count. */
export async function faultHits(fakeUrl: string, kinds: FaultKind[]): Promise<Record<string, number>> {
  const { faults } = (await (await fetch(`${fakeUrl}/__admin/faults`)).json()) as { faults: { hits: number }[] };
  return Object.fromEntries(kinds.map((k, i) => [k.name, faults[i]?.hits ?? 0]));
}
