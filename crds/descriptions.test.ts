// `kubectl explain rr.spec` and `rr.status` are only useful when every field says what it is:
// each property of the CRD's schema has a description (add it with the field; crds/describe.ts
// holds the texts). Descriptions change nothing else: the schema without them is unchanged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DESCRIPTIONS, describe as describeCrd } from './describe.ts';

type Schema = { description?: string; properties?: Record<string, Schema>; items?: Schema };
const file = join(import.meta.dirname, 'remediationrequest.yaml');
const text = readFileSync(file, 'utf8');
const schemaOf = (yaml: string): Schema =>
  (parse(yaml) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } }).spec.versions[0]!.schema
    .openAPIV3Schema;

function undescribed(s: Schema, path: string): string[] {
  // The API server allows nothing but name and generateName under metadata.
  if (path === 'metadata') return [];
  const missing = s.description?.trim() ? [] : [path || '(root)'];
  for (const [name, child] of Object.entries(s.properties ?? {}))
    missing.push(...undescribed(child, path ? `${path}.${name}` : name));
  if (s.items?.properties) missing.push(...undescribed({ ...s.items, description: 'items' }, `${path}[]`));
  return missing;
}

function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'description' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

it('describes every field of the RemediationRequest schema', () => {
  expect(undescribed(schemaOf(text), '')).toEqual([]);
});

it('crds/describe.ts only writes descriptions, for fields that exist', () => {
  expect(withoutDescriptions(parse(describeCrd(text)))).toEqual(withoutDescriptions(parse(text)));
  const find = (path: string) =>
    path.split('.').reduce<Schema | undefined>((s, p) => s?.properties?.[p], schemaOf(text));
  expect(Object.keys(DESCRIPTIONS).filter((p) => p !== '' && !find(p))).toEqual([]);
});

it('fills in descriptions of array items too, keeping the ones a field has', () => {
  const minimal = [
    'spec:',
    '  versions:',
    '    - schema:',
    '        openAPIV3Schema:',
    '          properties:',
    '            status:',
    '              properties:',
    '                stormAggregation:',
    '                  properties:',
    '                    pendingMembers:',
    '                      type: array',
    '                      description: own text',
    '                      items:',
    '                        type: object',
    '                        properties:',
    '                          fingerprint: { type: string }',
    '',
  ].join('\n');
  const storm = schemaOf(describeCrd(minimal)).properties!.status!.properties!.stormAggregation!;
  const members = storm.properties!.pendingMembers!;
  expect(members.description).toBe('own text');
  expect(members.items!.properties!.fingerprint!.description).toContain('spec.signalFingerprint');
});
