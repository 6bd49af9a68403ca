// Typed readers for untrusted JSON, shared by the adapters. Each one either returns a typed
// value or throws a ValidationProblem naming the exact field, so a sender learns what to fix
// from the 400 alone. Bounds mirror the CRD's OpenAPI limits: anything the API server would
// refuse later is refused here, as a 400 rather than a failed create.
import { ValidationProblem } from '../http/problem.ts';
import { isGoZeroTime, parseRfc3339 } from './time.ts';

export type JsonObject = Record<string, unknown>;

export interface MapLimits {
  maxEntries: number;
  maxValueLength: number;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `a.b` for plain keys, `a["app.kubernetes.io/name"]` otherwise, so the path is unambiguous. */
export function childPath(parent: string, key: string): string {
  if (!IDENTIFIER.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Treats undefined, null and blank strings alike: senders use all three for "not set". */
export function optionalString(
  obj: JsonObject,
  key: string,
  path: string,
  maxLength: number,
): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const field = childPath(path, key);
  if (typeof value !== 'string') throw new ValidationProblem(field, 'must be a string');
  const trimmed = value.trim();
  if (trimmed.length > maxLength)
    throw new ValidationProblem(field, `must be at most ${maxLength} characters`);
  return trimmed === '' ? undefined : trimmed;
}

export function requiredString(obj: JsonObject, key: string, path: string, maxLength: number): string {
  const value = optionalString(obj, key, path, maxLength);
  if (value === undefined) throw new ValidationProblem(childPath(path, key), 'is required');
  return value;
}

export function optionalObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw new ValidationProblem(childPath(path, key), 'must be an object');
  return value;
}

export function requiredObject(obj: JsonObject, key: string, path: string): JsonObject {
  const value = optionalObject(obj, key, path);
  if (value === undefined) throw new ValidationProblem(childPath(path, key), 'is required');
  return value;
}

export function checkMapSize(map: Record<string, string>, field: string, maxEntries: number): void {
  const count = Object.keys(map).length;
  if (count > maxEntries) {
    throw new ValidationProblem(field, `has ${count} entries; at most ${maxEntries} are allowed`);
  }
}

/** A string -> string map (labels, annotations); absent means empty. Values are kept verbatim. */
export function optionalStringMap(
  obj: JsonObject,
  key: string,
  path: string,
  limits: MapLimits,
): Record<string, string> {
  const value = optionalObject(obj, key, path);
  if (value === undefined) return {};
  const field = childPath(path, key);
  const entries = Object.entries(value);
  if (entries.length > limits.maxEntries) {
    throw new ValidationProblem(
      field,
      `has ${entries.length} entries; at most ${limits.maxEntries} are allowed`,
    );
  }
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw new ValidationProblem(childPath(field, k), 'must be a string');
    if (v.length > limits.maxValueLength) {
      throw new ValidationProblem(childPath(field, k), `must be at most ${limits.maxValueLength} characters`);
    }
  }
  // fromEntries defines own properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** An RFC 3339 timestamp normalised to ISO UTC; Go's zero time counts as absent. */
export function optionalTimestamp(obj: JsonObject, key: string, path: string): string | undefined {
  const value = optionalString(obj, key, path, 64);
  if (value === undefined) return undefined;
  const date = parseRfc3339(value);
  if (!date)
    throw new ValidationProblem(childPath(path, key), `must be an RFC 3339 timestamp (got "${value}")`);
  return isGoZeroTime(date) ? undefined : date.toISOString();
}

/** A non-negative integer (counts); absent means undefined. */
export function optionalCount(obj: JsonObject, key: string, path: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationProblem(childPath(path, key), 'must be a non-negative integer');
  }
  return value;
}
