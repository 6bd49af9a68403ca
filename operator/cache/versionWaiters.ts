// Lets a writer that lost an optimistic write (409) wait for the watch to bring the version that
// beat it, instead of reading it again: the watch delivers it anyway, usually within
// milliseconds, so under contention between replicas each conflict costs one request, not two.
import { compareResourceVersions } from '../runtime/store.ts';
import type { CachedRR } from './projection.ts';

interface Waiter {
  after: string;
  resolve: (rr: CachedRR | undefined) => void;
}

export class VersionWaiters {
  private readonly byName = new Map<string, Set<Waiter>>();

  /** Resolves with the first cached version of `name` newer than `after`, or undefined after `timeoutMs`. */
  newerThan(name: string, after: string | undefined, timeoutMs: number): Promise<CachedRR | undefined> {
    if (after === undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const set = this.byName.get(name) ?? new Set<Waiter>();
      this.byName.set(name, set);
      const waiter: Waiter = {
        after,
        resolve: (rr) => {
          clearTimeout(timer);
          set.delete(waiter);
          if (set.size === 0 && this.byName.get(name) === set) this.byName.delete(name);
          resolve(rr);
        },
      };
      const timer = setTimeout(() => waiter.resolve(undefined), timeoutMs);
      set.add(waiter);
    });
  }

  /** Called for every object the cache stores (watch event or local write). */
  stored(rr: CachedRR): void {
    const set = this.byName.get(rr.metadata.name);
    if (!set) return;
    for (const w of [...set]) {
      if ((compareResourceVersions(rr.metadata.resourceVersion, w.after) ?? 0) > 0) w.resolve(rr);
    }
  }

  /** Called when the cache drops an object: its waiters stop waiting (and read it themselves). */
  dropped(name: string): void {
    for (const w of [...(this.byName.get(name) ?? [])]) w.resolve(undefined);
  }
}
