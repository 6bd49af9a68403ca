// Hostile requests for both routes, generated with fast-check. Every generator is wrong by
// construction (so no case may be stored), and most start from a valid body and break one thing,
// so that a check the intake forgot would show up as a 2xx and an RR.
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';

export type Route = 'prometheus' | 'event';
export type Category =
  | 'malformed'
  | 'truncated'
  | 'nested'
  | 'oversized'
  | 'wrongTypes'
  | 'contentType'
  | 'compressed'
  | 'hugeHeaders'
  | 'badAuth';

export interface HostileCase {
  category: Category;
  route: Route;
  headers: Record<string, string>;
  body: Buffer;
  /** False when the case carries its own Authorization (or none). */
  withToken: boolean;
}

export interface ValidBodies {
  prometheus: () => Record<string, unknown>;
  event: () => Record<string, unknown>;
  bodyLimitBytes: number;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/** A JSON value of any type other than `keep` (the type the field must have). */
function otherThan(keep: 'string' | 'object' | 'array'): fc.Arbitrary<unknown> {
  const all: { t: string; a: fc.Arbitrary<unknown> }[] = [
    { t: 'number', a: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
    { t: 'boolean', a: fc.boolean() },
    { t: 'null', a: fc.constant(null) },
    { t: 'string', a: fc.string({ maxLength: 20 }) },
    { t: 'array', a: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) },
    {
      t: 'object',
      a: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    },
  ];
  return fc.oneof(...all.filter((x) => x.t !== keep).map((x) => x.a));
}

// Required fields and the type each must have, per route (dotted paths into the valid body).
// Optional fields (payload version, an Event's apiVersion) are left out: null means absent there.
const REQUIRED: Record<Route, [string, 'string' | 'object' | 'array'][]> = {
  prometheus: [
    ['alerts', 'array'],
    ['alerts.0', 'object'],
    ['alerts.0.labels', 'object'],
    ['alerts.0.labels.alertname', 'string'],
  ],
  event: [
    ['reason', 'string'],
    ['involvedObject', 'object'],
    ['involvedObject.kind', 'string'],
    ['involvedObject.name', 'string'],
  ],
};

function setPath(obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const leaf = keys.pop()!;
  let cur: Record<string, unknown> = obj;
  for (const k of keys) cur = cur[k] as Record<string, unknown>;
  cur[leaf] = value;
  return obj;
}

const buf = (s: string) => Buffer.from(s, 'utf8');

export function hostileCase(v: ValidBodies): fc.Arbitrary<HostileCase> {
  const route = fc.constantFrom<Route>('prometheus', 'event');
  const valid = (r: Route) => (r === 'prometheus' ? v.prometheus() : v.event());
  const make = (
    category: Category,
    r: Route,
    body: Buffer,
    headers: Record<string, string> = JSON_TYPE,
    withToken = true,
  ) => ({ category, route: r, body, headers, withToken }) satisfies HostileCase;

  const malformed = fc
    .tuple(
      route,
      fc.oneof(
        fc.uint8Array({ minLength: 1, maxLength: 512 }).map((a) => Buffer.from(a)),
        fc.string({ minLength: 1, maxLength: 256 }).filter(notJson).map(buf),
      ),
    )
    .map(([r, body]) => make('malformed', r, body));
  const truncated = fc.tuple(route, fc.double({ min: 0, max: 0.999, noNaN: true })).map(([r, f]) => {
    const text = JSON.stringify(valid(r));
    return make('truncated', r, buf(text.slice(0, Math.max(1, Math.floor(text.length * f)))));
  });
  const nested = fc
    .tuple(route, fc.integer({ min: 1000, max: 120_000 }), fc.constantFrom('[', '{"a":'))
    .map(([r, depth, open]) => {
      const close = open === '[' ? ']' : '}';
      const inner = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const body =
        r === 'prometheus' ? `{"version":"4","alerts":${inner}}` : `{"reason":"X","involvedObject":${inner}}`;
      return make('nested', r, buf(body));
    });
  const oversized = fc
    .tuple(route, fc.integer({ min: v.bodyLimitBytes + 1, max: v.bodyLimitBytes * 3 }))
    .map(([r, n]) => {
      const body = valid(r);
      const text = JSON.stringify(body);
      const pad = JSON.stringify({ ...body, padding: 'x'.repeat(Math.max(0, n - text.length)) });
      return make('oversized', r, buf(pad));
    });
  const wrongTypes = route.chain((r) =>
    fc
      .tuple(fc.constantFrom(...REQUIRED[r]), fc.constant(r))
      .chain(([[path, type]]) =>
        otherThan(type).map((bad) =>
          make('wrongTypes', r, buf(JSON.stringify(setPath(valid(r), path, bad)))),
        ),
      ),
  );
  const contentType = fc
    .tuple(
      route,
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
        'text/json-seq',
        'application/octet-stream',
      ),
    )
    .map(([r, ct]) => make('contentType', r, buf(JSON.stringify(valid(r))), { 'content-type': ct }));
  const compressed = fc
    .tuple(
      route,
      fc.constantFrom('gzip', 'deflate', 'br', 'x-garbage'),
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.boolean(),
    )
    .map(([r, encoding, bytes, gzipMagic]) => {
      // Garbage, or garbage behind a real gzip header, or a real gzip of a too-large body (a bomb).
      let body: Buffer = Buffer.from(bytes);
      if (gzipMagic && encoding === 'gzip')
        body = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), body]);
      if (bytes.length % 7 === 0 && encoding === 'gzip') body = bomb(v.bodyLimitBytes);
      return make('compressed', r, body, { ...JSON_TYPE, 'content-encoding': encoding });
    });
  const hugeHeaders = fc
    .tuple(route, fc.integer({ min: 17 * 1024, max: 64 * 1024 }), fc.integer({ min: 1, max: 4 }))
    .map(([r, size, count]) => {
      const headers: Record<string, string> = { ...JSON_TYPE };
      for (let i = 0; i < count; i++) headers[`x-junk-${i}`] = 'h'.repeat(Math.ceil(size / count));
      return make('hugeHeaders', r, buf(JSON.stringify(valid(r))), headers);
    });
  const badAuth = fc
    .tuple(
      route,
      fc.oneof(
        fc.constant(undefined),
        fc.constantFrom(
          'Basic dXNlcjpwYXNz',
          'Bearer',
          'Bearer ',
          'Token abc',
          'Bearer a b c',
          'Digest x',
          'Negotiate YII=',
        ),
        fc.string({ minLength: 1, maxLength: 200 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
        fc.string({ minLength: 1, maxLength: 100 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      ),
    )
    .map(([r, auth]) => {
      const headers: Record<string, string> = { ...JSON_TYPE };
      if (auth !== undefined) headers.authorization = auth;
      return make('badAuth', r, buf(JSON.stringify(valid(r))), headers, false);
    });
  return fc.oneof(
    { arbitrary: malformed, weight: 3 },
    { arbitrary: truncated, weight: 3 },
    { arbitrary: nested, weight: 1 },
    { arbitrary: oversized, weight: 1 },
    { arbitrary: wrongTypes, weight: 4 },
    { arbitrary: contentType, weight: 2 },
    { arbitrary: compressed, weight: 2 },
    { arbitrary: hugeHeaders, weight: 1 },
    { arbitrary: badAuth, weight: 2 },
  );
}

let bombBytes: Buffer | undefined;
/** A small gzip that inflates to eight times the body limit. */
function bomb(limit: number): Buffer {
  bombBytes ??= gzipSync(Buffer.alloc(limit * 8, 0x20));
  return bombBytes;
}

function notJson(s: string): boolean {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
}
