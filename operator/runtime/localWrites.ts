// Read-your-writes for the informer cache. A writer may put the object it just created or updated
// into the cache (Informer.upsertLocal) before the watch delivers it. This module decides, purely,
// when such a local version may enter the cache and when a later watch or list version may
// replace it, so that the cache neither goes back behind an acknowledged write nor resurrects an
// object the watch has already reported deleted.
//
// Ordering rule: resourceVersions are compared as integers when both parse as integers (etcd
// revisions are monotonic, and every real apiserver hands them out); otherwise they are treated
// as opaque and only compared for equality.
import { compareResourceVersions } from './store.ts';

const DEFAULT_TOMBSTONE_TTL_MS = 5 * 60_000;

interface Tombstone {
  resourceVersion: string | undefined;
  at: number;
}

export class LocalWrites {
  /** key -> resourceVersion written locally that the watch has not caught up with yet */
  private readonly written = new Map<string, string>();
  /** key -> recent deletion seen by the watch; kept in insertion (= time) order */
  private readonly tombstones = new Map<string, Tombstone>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { tombstoneTtlMs?: number; now?: () => number } = {}) {
    this.ttlMs = options.tombstoneTtlMs ?? DEFAULT_TOMBSTONE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * May a locally written version `incoming` replace `current` (undefined = nothing stored)?
   * - same resourceVersion as stored: no (nothing new);
   * - something stored: yes when `incoming` is a larger integer, or when the two cannot be
   *   ordered (the caller vouches that its write is newer);
   * - nothing stored: yes, unless the watch deleted the key recently and `incoming` is not
   *   provably newer than that deletion (a late write must not bring back a deleted object).
   */
  acceptLocal(
    key: string,
    current: string | undefined,
    hasCurrent: boolean,
    incoming: string | undefined,
  ): boolean {
    if (hasCurrent) {
      if (incoming !== undefined && incoming === current) return false;
      const cmp = compareResourceVersions(incoming, current);
      return cmp === undefined || cmp > 0;
    }
    this.prune();
    const tomb = this.tombstones.get(key);
    if (!tomb) return true;
    const cmp = compareResourceVersions(incoming, tomb.resourceVersion);
    return cmp !== undefined && cmp > 0;
  }

  /** Records that `resourceVersion` of `key` entered the cache from a local write. */
  noteLocal(key: string, resourceVersion: string | undefined): void {
    if (resourceVersion === undefined) return;
    this.written.set(key, resourceVersion);
    this.tombstones.delete(key);
  }

  /**
   * May a version from the watch or a list replace what the cache holds? Only a version provably
   * older than this process's own unconfirmed write is refused; anything else is accepted, and
   * once the watch reaches (or passes, or cannot be ordered against) the local write the write
   * counts as confirmed.
   */
  acceptRemote(key: string, incoming: string | undefined): boolean {
    const local = this.written.get(key);
    if (local === undefined) return true;
    const cmp = compareResourceVersions(incoming, local);
    if (cmp !== undefined && cmp < 0) return false;
    this.written.delete(key);
    return true;
  }

  /**
   * A relist did not return `key`. Keep the cached object only when it is a local write provably
   * newer than the list snapshot `listResourceVersion` (created after the list was taken).
   */
  keepMissingOnRelist(key: string, listResourceVersion: string | undefined): boolean {
    const cmp = compareResourceVersions(this.written.get(key), listResourceVersion);
    if (cmp !== undefined && cmp > 0) return true;
    this.written.delete(key);
    return false;
  }

  /** Records a deletion reported by the watch or inferred from a relist. */
  noteDeleted(key: string, resourceVersion: string | undefined): void {
    this.written.delete(key);
    this.tombstones.delete(key);
    this.tombstones.set(key, { resourceVersion, at: this.now() });
    this.prune();
  }

  /** Number of unconfirmed local writes and live tombstones (for tests and diagnostics). */
  pending(): { written: number; tombstones: number } {
    this.prune();
    return { written: this.written.size, tombstones: this.tombstones.size };
  }

  private prune(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [key, tomb] of this.tombstones) {
      if (tomb.at > cutoff) break;
      this.tombstones.delete(key);
    }
  }
}
