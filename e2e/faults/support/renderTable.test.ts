import { renderReliability } from './renderTable.ts';
import type { StoredResult } from './renderTable.ts';

const result = (id: string, over: Partial<StoredResult> = {}): StoredResult => ({
  id,
  scenario: `scenario ${id}`,
  load: 'load',
  faults: 'faults',
  passed: true,
  result: 'ok',
  figure: 'figure',
  figures: {},
  long: true,
  at: '2026-12-02T00:00:00.000Z',
  ...over,
});

describe('the reliability table', () => {
  it('has one row per scenario in scenario order, failures marked, pipes escaped', () => {
    const text = renderReliability([
      result('10-later'),
      result('2-second', { passed: false, result: 'a | b', at: '2026-12-02T01:00:00.000Z' }),
      result('1-first'),
    ]);
    const rows = text.split('\n').filter((l) => l.startsWith('| scenario ') && !l.startsWith('| scenario |'));
    expect(rows.map((r) => r.split(' | ')[0])).toEqual([
      '| scenario 1-first',
      '| scenario 2-second',
      '| scenario 10-later',
    ]);
    expect(rows[1]).toContain('**FAIL**: a \\| b');
    expect(text).toContain('Last run: 2026-12-02T01:00:00.000Z (full sizes');
    expect(text).toContain('the oldest result in the table is from 2026-12-02T00:00:00.000Z');
    expect(renderReliability([result('1-a')])).not.toContain('oldest result');
  });

  it('says when short-size results are mixed in, and refuses to render nothing', () => {
    expect(renderReliability([result('1-a', { long: false })])).toContain('includes short-size results');
    expect(() => renderReliability([])).toThrow(/make e2e-long/);
  });
});
