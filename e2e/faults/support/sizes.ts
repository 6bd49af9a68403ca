// Scenario sizes: short in `make test`, full in `make e2e-long` (E2E_LONG=1), and any one of them
// overridable with FAULTS_<NAME> (e.g. FAULTS_FUZZ_CASES=200000) to go further on a bigger box.
export const LONG = process.env.E2E_LONG === '1';

export function size(name: string, short: number, long: number): number {
  const raw = process.env[`FAULTS_${name}`];
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`FAULTS_${name} must be a positive number (got ${raw})`);
    return n;
  }
  return LONG ? long : short;
}
