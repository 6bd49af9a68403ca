// The chart's values.schema.json is generated from the operator's ConfigSchema; this fails when
// someone changed either without running `make schema`, and checks the schema does its job.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import {
  renderValuesSchema,
  valuesSchema,
  VALUES_SCHEMA_PATH,
} from '../../charts/kubernaut-intake/values.schema.ts';

describe('charts/kubernaut-intake/values.schema.json', () => {
  it('is up to date with operator/config/schema.ts (run `make schema`)', () => {
    expect(readFileSync(VALUES_SCHEMA_PATH, 'utf8')).toBe(renderValuesSchema());
  });

  const validate = new Ajv({ allErrors: true, strict: false }).compile(valuesSchema());
  const defaults = () =>
    parse(readFileSync(VALUES_SCHEMA_PATH.replace('values.schema.json', 'values.yaml'), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;

  it("accepts the chart's own values.yaml", () => {
    expect(validate(defaults())).toBe(true);
  });

  it('rejects a misspelt config key and a misspelt top-level value', () => {
    const v = defaults();
    (v.config!.intake as Record<string, unknown>).bodyLimt = 1;
    expect(validate(v)).toBe(false);
    expect(validate.errors).toContainEqual(
      expect.objectContaining({ instancePath: '/config/intake', params: { additionalProperty: 'bodyLimt' } }),
    );
    expect(validate({ ...defaults(), replicas: 2 })).toBe(false);
  });
});
