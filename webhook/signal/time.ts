// Strict RFC 3339 parsing. `new Date()` alone is too forgiving for input validation: it takes
// '2024' or '1' as dates and rolls 2024-02-30 over into March, so a bad timestamp would be
// stored as a plausible wrong one instead of being rejected.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(v: number, min: number, max: number): boolean {
  return v >= min && v <= max;
}

/** A Date for a valid RFC 3339 timestamp, undefined otherwise. */
export function parseRfc3339(value: string): Date | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const offsetOk = m[9] === undefined || (inRange(Number(m[9]), 0, 23) && inRange(Number(m[10]), 0, 59));
  const fieldsOk =
    inRange(month, 1, 12) &&
    inRange(day, 1, daysInMonth(year, month)) &&
    inRange(hour, 0, 23) &&
    inRange(minute, 0, 59) &&
    inRange(second, 0, 59);
  if (!offsetOk || !fieldsOk) return undefined;
  const date = new Date(value.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Go senders (Alertmanager, client-go) serialise an unset time as year 1
 * (`0001-01-01T00:00:00Z`); it means "absent", not a real instant.
 */
export function isGoZeroTime(date: Date): boolean {
  return date.getUTCFullYear() <= 1;
}
