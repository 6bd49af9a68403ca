// The chart ships its own copy of the CRD (Helm installs crds/ from the chart folder); it must
// stay byte-for-byte the CRD in /crds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

it('the chart carries the same CRD as crds/', () => {
  const source = readFileSync(join(root, 'crds', 'remediationrequest.yaml'), 'utf8');
  const copy = readFileSync(
    join(root, 'charts', 'kubernaut-intake', 'crds', 'remediationrequest.yaml'),
    'utf8',
  );
  expect(copy).toBe(source);
});
