// Cached verdicts per token hash. Allowed and refused tokens live in separate LRU caches so that
// a flood of made-up tokens (each one refused) can only evict other refused tokens, never the
// verdict of a real sender. An allowed verdict past its TTL is still known as "was good", which
// lets its re-review bypass the cap on concurrent reviews (see Authenticator).
import { LRUCache } from 'lru-cache';

export type Verdict = { ok: true; user: string } | { ok: false; status: 401 | 403; detail: string };

export class VerdictCache {
  private readonly allowed: LRUCache<string, Verdict & { ok: true }>;
  private readonly refused: LRUCache<string, Verdict & { ok: false }>;

  constructor(ttlMs: number, maxEntries: number) {
    // Stale allowed entries are kept (no autopurge) until LRU-evicted by other allowed tokens.
    this.allowed = new LRUCache({ max: maxEntries, ttl: ttlMs, allowStale: false, noDeleteOnStaleGet: true });
    this.refused = new LRUCache({ max: maxEntries, ttl: ttlMs, ttlAutopurge: false });
  }

  /** A fresh verdict, or undefined when the token must be reviewed. */
  get(key: string): Verdict | undefined {
    return this.allowed.get(key) ?? this.refused.get(key);
  }

  /** True when the token was allowed before, even if that verdict has expired. */
  wasAllowed(key: string): boolean {
    return this.allowed.peek(key, { allowStale: true }) !== undefined;
  }

  set(key: string, verdict: Verdict): void {
    if (verdict.ok) {
      this.refused.delete(key);
      this.allowed.set(key, verdict);
    } else {
      this.allowed.delete(key);
      this.refused.set(key, verdict);
    }
  }

  get size(): { allowed: number; refused: number } {
    return { allowed: this.allowed.size, refused: this.refused.size };
  }
}
