/** `npm run soak -- [--faults 0.2] [--seconds N] [--seed S] [--clients N]`: the soak's options, checked. */
export interface SoakOptions {
  /** Share of upstream calls (Customer.io Track, Mailgun) the fakes fail, split evenly over the fault kinds. */
  faults: number;
  seconds: number;
  /** Seeds the workload (which operation, which body, which client); the fakes draw their faults themselves. */
  seed: number;
  /** Concurrent clients. */
  clients: number;
}

export const DEFAULT_SOAK: SoakOptions = { faults: 0.2, seconds: 60, seed: 1, clients: 8 };

export function parseSoakArgs(argv: string[]): SoakOptions {
  const o = { ...DEFAULT_SOAK };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, raw] = [argv[i], argv[i + 1]];
    const name = flag?.replace(/^--/, '') as keyof SoakOptions;
    if (!flag?.startsWith('--') || !(name in DEFAULT_SOAK)) throw new Error(`unknown argument ${flag}`);
    const v = Number(raw);
    if (raw === undefined || !Number.isFinite(v)) throw new Error(`${flag} needs a number`);
    o[name] = v;
  }
  if (!(o.faults >= 0 && o.faults < 1)) throw new Error('--faults must be in [0, 1)');
  if (!(o.seconds > 0 && o.seconds <= 86_400)) throw new Error('--seconds must be in (0, 86400]');
  if (!Number.isInteger(o.seed)) throw new Error('--seed must be an integer');
  if (!(Number.isInteger(o.clients) && o.clients >= 1 && o.clients <= 256)) throw new Error('--clients must be 1-256');
  return o;
}

/** mulberry32: a small, well-mixed seeded PRNG (uniform in [0, 1)). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
