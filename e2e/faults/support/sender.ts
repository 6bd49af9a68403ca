// Delivers notifications the way Alertmanager's webhook notifier does: a 5xx or a broken
// connection is retried with back-off (the notification may or may not have been stored: the
// intake must recognise the redelivery), a 4xx is final, and a refused connection moves on to
// the next replica (what a Service does once the dead pod leaves its endpoints).
import { createHash } from 'node:crypto';

export interface Delivery {
  status: number;
  body: Record<string, unknown>;
  attempts: number;
  serverErrors: number;
  connectionErrors: number;
}

export interface SendOptions {
  token?: string;
  /** Give up (status 0) after this long; default two minutes. */
  deadlineMs?: number;
  attemptTimeoutMs?: number;
  headers?: Record<string, string>;
  /** Told about every attempt: its status (0 when the connection failed), Retry-After, and when it was sent. */
  onAttempt?: (status: number, retryAfter: string | null, sentAt: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function refused(err: unknown): boolean {
  const code = (err as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED';
}

/** Sends `body` to `path` on `urls[start]`, retrying like Alertmanager until a non-5xx answer. */
export async function deliver(
  urls: string[],
  start: number,
  path: string,
  body: unknown,
  o: SendOptions = {},
): Promise<Delivery> {
  const deadline = Date.now() + (o.deadlineMs ?? 120_000);
  const text = JSON.stringify(body);
  const d: Delivery = { status: 0, body: {}, attempts: 0, serverErrors: 0, connectionErrors: 0 };
  let idx = start % urls.length;
  let backoffMs = 100;
  while (Date.now() < deadline) {
    d.attempts++;
    const sentAt = Date.now();
    try {
      const res = await fetch(urls[idx]! + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
        body: text,
        signal: AbortSignal.timeout(o.attemptTimeoutMs ?? 15_000),
      });
      const raw = await res.text();
      o.onAttempt?.(res.status, res.headers.get('retry-after'), sentAt);
      if (res.status < 500) {
        d.status = res.status;
        d.body = parse(raw);
        return d;
      }
      d.serverErrors++;
    } catch (err) {
      o.onAttempt?.(0, null, sentAt);
      d.connectionErrors++;
      if (refused(err)) idx = (idx + 1) % urls.length;
    }
    await sleep(backoffMs);
    backoffMs = Math.min(backoffMs * 2, 1000);
  }
  return d;
}

function parse(raw: string): Record<string, unknown> {
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { raw };
  }
}

/** Runs `tasks` with at most `concurrency` in flight; results in task order. */
export async function pool<T>(concurrency: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return out;
}

/** One firing of one alert as Alertmanager sends it: its label-set fingerprint and startsAt. */
export function firing(labels: Record<string, string>, startsAt: Date) {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
  return {
    status: 'firing',
    labels,
    annotations: { summary: `${labels.alertname} firing` },
    startsAt: startsAt.toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: createHash('sha256').update(sorted).digest('hex').slice(0, 16),
  };
}

export function notification(alerts: ReturnType<typeof firing>[]) {
  const alertname = alerts[0]?.labels.alertname ?? '';
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: { alertname },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}
