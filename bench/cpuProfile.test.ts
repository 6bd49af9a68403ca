import { topSelfTime } from './cpuProfile.ts';
import type { CpuProfile } from './cpuProfile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

// root -> main -> (parse, hash); a second call path reaches parse through hash.
const fixture: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('main', 'file:///repo/dist/main.js', 9) },
    { id: 3, callFrame: frame('parse', 'file:///repo/dist/parse.js', 0) },
    { id: 4, callFrame: frame('', 'file:///repo/dist/hash.js', 41) },
    { id: 5, callFrame: frame('parse', 'file:///repo/dist/parse.js', 0) },
    { id: 6, callFrame: frame('(idle)') },
    { id: 7, callFrame: frame('(garbage collector)') },
    { id: 8, callFrame: frame('get', 'file:///elsewhere/node_modules/lru-cache/index.js', 2) },
  ],
  startTime: 1000,
  endTime: 17_000,
  // Each sample lasts until the next tick: the first delta is the start offset, not a duration.
  samples: [3, 3, 4, 5, 6, 6, 7, 2, 8, 3],
  timeDeltas: [100, 1000, 1000, 2000, 1000, 4000, 4000, 500, 1500, 100],
};

describe('cpu profile', () => {
  it('sums self time per function over its call paths, idle left out of the top', () => {
    const p = topSelfTime(fixture, 15, '/repo');
    expect(p.samples).toBe(10);
    expect(p.totalMs).toBe(15.1);
    expect(p.idleMs).toBe(8);
    expect(p.top).toEqual([
      { function: 'parse', location: 'dist/parse.js:1', selfMs: 3, pct: 19.87 },
      { function: '(anonymous)', location: 'dist/hash.js:42', selfMs: 2, pct: 13.25 },
      { function: 'main', location: 'dist/main.js:10', selfMs: 1.5, pct: 9.93 },
      { function: '(garbage collector)', location: '', selfMs: 0.5, pct: 3.31 },
      { function: 'get', location: 'node_modules/lru-cache/index.js:3', selfMs: 0.1, pct: 0.66 },
    ]);
  });

  it('counts only the samples inside a window of the profile clock', () => {
    // Sample times: 1100, 2100, 3100, 5100, 6100, 10100, 14100, 14600, 16100, 16200.
    const p = topSelfTime(fixture, 15, '/repo', { fromUs: 5000, toUs: 14_200 });
    expect(p.samples).toBe(4);
    expect(p.idleMs).toBe(8);
    expect(p.top).toEqual([
      { function: 'parse', location: 'dist/parse.js:1', selfMs: 1, pct: 10.53 },
      { function: '(garbage collector)', location: '', selfMs: 0.5, pct: 5.26 },
    ]);
  });

  it('keeps the biggest entries only', () => {
    expect(topSelfTime(fixture, 2).top.map((e) => e.function)).toEqual(['parse', '(anonymous)']);
    expect(topSelfTime(fixture, 1).top[0]!.location).toBe('/repo/dist/parse.js:1');
  });
});
