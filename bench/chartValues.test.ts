import { chartNodeOptions, chartReplicaCount, nodeOptionsFrom, replicaCountFrom } from './chartValues.ts';

describe('chart values', () => {
  it('reads nodeOptions, and nothing when unset', () => {
    expect(nodeOptionsFrom('replicaCount: 2\nnodeOptions: "--max-old-space-size=64"\n')).toBe(
      '--max-old-space-size=64',
    );
    expect(nodeOptionsFrom('replicaCount: 2\n')).toBe('');
    expect(nodeOptionsFrom('nodeOptions: ""\n')).toBe('');
    expect(() => nodeOptionsFrom('nodeOptions: [a]\n')).toThrow('not a string');
  });

  it('reads replicaCount', () => {
    expect(replicaCountFrom('replicaCount: 3\n')).toBe(3);
    expect(replicaCountFrom('nodeOptions: x\n')).toBe(1);
    expect(() => replicaCountFrom('replicaCount: two\n')).toThrow('positive integer');
  });

  it("reads the chart's own defaults", () => {
    expect(chartNodeOptions()).toMatch(/--max-old-space-size=\d+/);
    expect(chartReplicaCount()).toBeGreaterThanOrEqual(1);
  });
});
