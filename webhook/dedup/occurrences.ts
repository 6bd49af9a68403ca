// The bounded record of recent occurrences kept on an RR's status (`status.recentOccurrences`),
// from which a redelivered notification is recognised on any replica, also after a restart.
// Pure helpers on a working copy of the status, shared by every mutation that counts something
// (occurrences, resolutions, storm folds and pending storm members).
//
// Each entry is a 16-character id: base64url of the first 96 bits of SHA-256(occurrence key).
// The record keeps the newest OCCURRENCE_RECORD_LIMIT ids, oldest first. 1024 covers a whole
// maximum-size Alertmanager batch (1000 alerts) about one RR redelivered at once, and costs at
// most 1024 x 19 bytes (about 19 KiB of JSON) on the RR: far below etcd's 1.5 MiB object limit.
// A false match needs a 96-bit collision among at most 1024 ids: about 2^-86 per signal.
import { createHash } from 'node:crypto';
import type { RemediationRequestStatus } from '../../operator/api/types.ts';
import type { CachedRR } from '../../operator/cache/projection.ts';

export const OCCURRENCE_RECORD_LIMIT = 1024;
export const OCCURRENCE_ID_LENGTH = 16;
/** Set at creation: the id of the occurrence that created the RR (counted as occurrence 1). */
export const CREATING_OCCURRENCE_ANNOTATION = 'kubernaut.ai/creating-occurrence';

export function occurrenceId(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest().subarray(0, 12).toString('base64url');
}

/**
 * Whether occurrence `id` is already counted on this RR: in the record, or it is the creating
 * occurrence of an RR whose initial status write has not landed yet (its count still reads 1).
 */
export function seen(status: RemediationRequestStatus, rr: CachedRR, id: string): boolean {
  if (status.recentOccurrences?.includes(id)) return true;
  return status.deduplication?.occurrenceCount === undefined && creatingOccurrence(rr) === id;
}

/** Adds `id` (newest last), dropping the oldest entries beyond the limit. */
export function remember(status: RemediationRequestStatus, id: string): void {
  const record = (status.recentOccurrences ??= []);
  if (record.includes(id)) return;
  record.push(id);
  if (record.length > OCCURRENCE_RECORD_LIMIT) record.splice(0, record.length - OCCURRENCE_RECORD_LIMIT);
}

/**
 * Before counting on an RR whose initial status write has not landed (someone else wrote first),
 * records its creating occurrence, so that occurrence is still recognised once it is no longer
 * implied by a missing count.
 */
export function recordCreation(status: RemediationRequestStatus, rr: CachedRR): void {
  const creator = creatingOccurrence(rr);
  if (creator && status.deduplication?.occurrenceCount === undefined) remember(status, creator);
}

export function creatingOccurrence(rr: CachedRR): string | undefined {
  return rr.metadata.annotations?.[CREATING_OCCURRENCE_ANNOTATION];
}
