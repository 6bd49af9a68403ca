// Checks real HTTP exchanges against docs/openapi.yaml: the status must be documented for the
// operation, the content type must be one the response lists, required headers must be there,
// and the body must match the schema (Ajv, JSON Schema 2020-12 as OpenAPI 3.1 uses it). Records
// which documented responses were seen, so a test can also insist that each was produced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../e2e/controlplane/install.ts';

type Json = Record<string, unknown>;
interface MediaType {
  schema?: Json;
}
interface ResponseObject {
  $ref?: string;
  headers?: Record<string, { $ref?: string; required?: boolean }>;
  content?: Record<string, MediaType>;
}
interface Operation {
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
}
type PathItem = Record<string, Operation>;
interface Document {
  openapi: string;
  paths: Record<string, PathItem>;
  components: { schemas: Json; responses: Record<string, ResponseObject>; headers: Json };
}

/** One exchange as a test saw it; `body` is parsed JSON, or the text for non-JSON media types. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  body: unknown;
}

const SCHEMA_ID = 'https://kubernaut.ai/openapi/intake';
export const OPENAPI_PATH = join(REPO_ROOT, 'docs/openapi.yaml');

// ajv-formats is CommonJS; under nodenext its default import is typed as the module namespace.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (
  ajv: Ajv2020,
) => Ajv2020;

export class OpenApiChecker {
  readonly doc: Document;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly seen = new Set<string>();

  constructor(file = OPENAPI_PATH) {
    this.doc = parse(readFileSync(file, 'utf8')) as Document;
    this.ajv = addFormats(
      new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true }),
    );
    // Unknown keywords are errors (strictSchema); union types and `required` without `properties`
    // are ordinary OpenAPI. Component schemas become one schema's $defs; the document's refs are rewritten to match.
    this.ajv.addSchema({ $id: SCHEMA_ID, $defs: rewriteRefs(this.doc.components.schemas) });
  }

  /** Every `METHOD path status` the document lists. */
  documented(): string[] {
    const all: string[] = [];
    for (const [path, item] of Object.entries(this.doc.paths))
      for (const [method, op] of Object.entries(item)) {
        if (!isOperation(method)) continue;
        for (const status of Object.keys(op.responses)) all.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    return all.sort();
  }

  /** The documented responses seen so far. */
  covered(): string[] {
    return [...this.seen].sort();
  }

  /** Throws an error describing every way the exchange departs from the document. */
  check(x: Exchange): void {
    const where = `${x.method} ${x.path} -> ${x.status}`;
    const op = this.doc.paths[x.path]?.[x.method.toLowerCase()];
    if (!op) throw new Error(`${where}: operation not in docs/openapi.yaml`);
    const declared = op.responses[String(x.status)];
    if (!declared)
      throw new Error(`${where}: status not documented (has ${Object.keys(op.responses).join(', ')})`);
    const response = this.resolve(declared);
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const h = header.$ref ? (this.pointer(header.$ref) as { required?: boolean }) : header;
      if (h.required && !x.headers.has(name)) throw new Error(`${where}: required header ${name} missing`);
    }
    const type = (x.headers.get('content-type') ?? '').split(';')[0]!.trim();
    const media = response.content?.[type];
    if (!media) {
      const allowed = Object.keys(response.content ?? {}).join(', ') || 'no body';
      throw new Error(`${where}: content type "${type}" not documented (${allowed})`);
    }
    this.validate(`${x.method} ${x.path} ${x.status} ${type}`, media.schema ?? {}, x.body, where);
    this.seen.add(`${x.method.toUpperCase()} ${x.path} ${x.status}`);
  }

  /** Checks a request body against the operation's request schema (for bodies meant to be valid). */
  checkRequest(method: string, path: string, body: unknown): void {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    const schema = op?.requestBody?.content['application/json']?.schema;
    if (!schema) throw new Error(`${method} ${path}: no application/json request body documented`);
    this.validate(`request ${method} ${path}`, schema, body, `request ${method} ${path}`);
  }

  private validate(key: string, schema: Json, value: unknown, where: string): void {
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(rewriteRefs(schema) as Json);
      this.compiled.set(key, fn);
    }
    if (!fn(value)) {
      const errors = this.ajv.errorsText(fn.errors, { separator: '\n  ' });
      throw new Error(
        `${where}: body does not match docs/openapi.yaml\n  ${errors}\n  body: ${JSON.stringify(value)}`,
      );
    }
  }

  private resolve(r: ResponseObject): ResponseObject {
    return r.$ref ? (this.pointer(r.$ref) as ResponseObject) : r;
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) throw new Error(`only local refs are supported: ${ref}`);
    let node: unknown = this.doc;
    for (const part of ref.slice(2).split('/'))
      node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`unresolved ref ${ref}`);
    return node;
  }
}

function isOperation(method: string): boolean {
  return ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(method);
}

function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    out[k] =
      k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
        ? `${SCHEMA_ID}#/$defs/${v.slice('#/components/schemas/'.length)}`
        : rewriteRefs(v);
  }
  return out;
}

/** A fetch that keeps the body as text unless the response is JSON. */
export async function exchange(
  method: string,
  base: string,
  path: string,
  init: { body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<Exchange> {
  const res = await fetch(base + path, { method, headers: init.headers, body: init.body });
  const text = await res.text();
  const json = /[/+]json\b/.test(res.headers.get('content-type') ?? '');
  return {
    method,
    path,
    status: res.status,
    headers: res.headers,
    body: json ? (JSON.parse(text) as unknown) : text,
  };
}
