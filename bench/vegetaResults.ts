// vegeta's side of the open-loop cases, the pure part: targets in its JSON format (body base64,
// one per line) and the summary of `vegeta encode -to json` output (one result per line), from
// which the percentiles, per-status counts and intake outcomes are computed here.
import { round, summarize } from './stats.ts';
import type { LatencySummary } from './stats.ts';

export interface VegetaTarget {
  url: string;
  body: string;
  token: string;
}

/** One line of vegeta's `-format=json` targets. */
export function targetLine(t: VegetaTarget): string {
  const header: Record<string, string[]> = { 'Content-Type': ['application/json'] };
  if (t.token) header.Authorization = [`Bearer ${t.token}`];
  return JSON.stringify({ method: 'POST', url: t.url, body: Buffer.from(t.body).toString('base64'), header });
}

interface EncodedResult {
  code: number;
  timestamp: string;
  /** Nanoseconds. */
  latency: number;
  error?: string;
  /** Base64 of the answer. */
  body?: string;
}

export interface OpenLoopSummary {
  requests: number;
  /** Sent per second: requests over the span from the first to the last request sent. */
  sentPerSec: number;
  latency: LatencySummary;
  /** HTTP status (0 when no answer: timeout, refused) -> count. */
  codes: Record<string, number>;
  /** Intake outcome (`status` of the answer) -> count. */
  outcomes: Record<string, number>;
  errors: number;
  errorSamples: string[];
}

const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

function outcomeOf(body: string | undefined): string {
  if (!body) return 'none';
  try {
    return String((JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as { status?: unknown }).status);
  } catch {
    return 'unparsable';
  }
}

export function summarizeEncoded(text: string): OpenLoopSummary {
  const results = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as EncodedResult);
  const codes: Record<string, number> = {};
  const outcomes: Record<string, number> = {};
  const samples = new Set<string>();
  let errors = 0;
  for (const r of results) {
    bump(codes, String(r.code));
    bump(outcomes, outcomeOf(r.body));
    if (r.code < 200 || r.code >= 300 || r.error) {
      errors++;
      if (samples.size < 5) samples.add(`${r.code}: ${(r.error ?? '').slice(0, 200)}`);
    }
  }
  const starts = results.map((r) => Date.parse(r.timestamp)).sort((a, b) => a - b);
  const spanMs = starts.length > 1 ? starts.at(-1)! - starts[0]! : 0;
  return {
    requests: results.length,
    sentPerSec: spanMs > 0 ? round(((results.length - 1) / spanMs) * 1000) : 0,
    latency: summarize(results.map((r) => r.latency / 1e6)),
    codes,
    outcomes,
    errors,
    errorSamples: [...samples],
  };
}
