// JSON merge patches (RFC 7386) built as real diffs, in one place. A merge patch merges objects
// recursively and removes a key only when the patch sets it to null; a key the patch does not
// mention is kept. So "delete a nested field" must be written as `null`, never by leaving the
// field out, and arrays (replaced whole) are sent only when they changed.

type Json = unknown;

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Equal as JSON, whatever the key order of objects (arrays keep their order). */
function same(a: Json, b: Json): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys in sorted order at every level. */
export function canonicalJson(value: Json): string {
  return JSON.stringify(sortKeys(value));
}

/**
 * The merge patch that turns `before` into `after` (both objects): changed values as they are
 * in `after`, removed keys as null, nested objects diffed recursively, unchanged keys left out.
 * Undefined values count as absent.
 */
export function mergePatchDiff(
  before: Record<string, Json> | undefined,
  after: Record<string, Json> | undefined,
): Record<string, Json> {
  const patch: Record<string, Json> = {};
  const from = before ?? {};
  const to = after ?? {};
  for (const key of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const a = from[key];
    const b = to[key];
    if (b === undefined) {
      if (a !== undefined) patch[key] = null;
    } else if (isPlainObject(a) && isPlainObject(b)) {
      const nested = mergePatchDiff(a, b);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (a === undefined || !same(a, b)) {
      patch[key] = b;
    }
  }
  return patch;
}

/** Applies a merge patch (RFC 7386) to a copy of `target`, as the API server does. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isPlainObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

/** Whether `target` already holds everything `patch` writes (so applying it changes nothing). */
export function holdsPatch(target: Json, patch: Record<string, Json>): boolean {
  return same(applyMergePatch(target, patch), target);
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}
