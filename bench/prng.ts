// A small seeded PRNG (mulberry32): every workload is the same sequence on every run.
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [0, n). */
export function pick(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** `bytes` random bytes as lowercase hex. */
export function hex(rng: Rng, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += pick(rng, 256).toString(16).padStart(2, '0');
  return out;
}
