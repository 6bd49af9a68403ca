// Matches an object against the label and field selectors its informer lists and watches with,
// so that a local write (Informer.upsertLocal) can never put into the cache an object the watch
// would not deliver: such an entry would never be updated or deleted again. Label selectors
// follow the Kubernetes grammar (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`);
// of field selectors only metadata.name and metadata.namespace can be judged locally, so any
// other field makes the match unknown, which callers treat as "not ours".
import type { KubeObject } from './store.ts';

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  out.push(selector.slice(start));
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

function requirement(term: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => Object.hasOwn(l, key) && values.has(l[key]!)
      : (l) => !Object.hasOwn(l, key) || !values.has(l[key]!);
  }
  const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => Object.hasOwn(l, key) && l[key] === value;
  }
  if (/^!\S+$/.test(term)) return (l) => !Object.hasOwn(l, term.slice(1));
  if (/^\S+$/.test(term)) return (l) => Object.hasOwn(l, term);
  throw new Error(`unsupported label selector term "${term}"`);
}

/** A predicate for a label selector; an empty or absent selector matches everything. */
export function labelMatcher(selector: string | undefined): (obj: KubeObject) => boolean {
  const reqs = terms(selector ?? '').map(requirement);
  return (obj) => {
    const labels = (obj.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {};
    return reqs.every((r) => r(labels));
  };
}

const FIELDS: Record<string, (obj: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
};

/** A predicate for a field selector; `false` for fields that cannot be judged locally. */
export function fieldMatcher(selector: string | undefined): (obj: KubeObject) => boolean {
  const reqs = terms(selector ?? '').map((term) => {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    const read = m ? FIELDS[m[1]!] : undefined;
    if (!m || !read) return () => false;
    return m[2] === '!=' ? (o: KubeObject) => read(o) !== m[3] : (o: KubeObject) => read(o) === m[3];
  });
  return (obj) => reqs.every((r) => r(obj));
}

/** The namespace a collection path is scoped to (`/api/v1/namespaces/x/pods` -> `x`). */
export function namespaceOfPath(path: string): string | undefined {
  return /\/namespaces\/([^/]+)\/[^/]+$/.exec(path)?.[1];
}
