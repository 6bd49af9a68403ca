import {
  DEFAULT_PRIORITY_MATRIX,
  environmentFromNamespaceLabels,
  parsePriorityMatrix,
  priorityFor,
} from './classify.ts';

describe('environmentFromNamespaceLabels', () => {
  it('prefers kubernaut.ai/environment over environment, lower-cased', () => {
    const labels = { 'kubernaut.ai/environment': 'Production', environment: 'staging' };
    expect(environmentFromNamespaceLabels(labels, 'unknown')).toBe('production');
  });

  it('falls back to environment, then to the default', () => {
    expect(environmentFromNamespaceLabels({ environment: ' Staging ' }, 'unknown')).toBe('staging');
    expect(environmentFromNamespaceLabels({ 'kubernaut.ai/environment': '' }, 'unknown')).toBe('unknown');
    expect(environmentFromNamespaceLabels({ team: 'a' }, 'unknown')).toBe('unknown');
    expect(environmentFromNamespaceLabels(undefined, 'dev')).toBe('dev');
  });
});

describe('priorityFor with the default matrix', () => {
  // Contract §4, row by row: severity x (production, staging, development, other).
  const table: [string, string[]][] = [
    ['critical', ['P0', 'P1', 'P2', 'P2']],
    ['warning', ['P1', 'P2', 'P2', 'P2']],
    ['info', ['P3', 'P3', 'P3', 'P3']],
    ['unknown', ['P3', 'P3', 'P3', 'P3']],
    ['page-me-now', ['P3', 'P3', 'P3', 'P3']],
  ];
  const envs = ['production', 'staging', 'development', 'qa'];

  it.each(table)('%s -> %j', (severity, expected) => {
    expect(envs.map((env) => priorityFor(DEFAULT_PRIORITY_MATRIX, severity, env))).toEqual(expected);
  });

  it('treats an unknown environment as "other"', () => {
    expect(priorityFor(DEFAULT_PRIORITY_MATRIX, 'critical', 'unknown')).toBe('P2');
  });

  it('is case-insensitive in its inputs', () => {
    expect(priorityFor(DEFAULT_PRIORITY_MATRIX, 'CRITICAL', 'Production')).toBe('P0');
  });

  it('does not treat prototype names as rows', () => {
    expect(priorityFor(DEFAULT_PRIORITY_MATRIX, 'constructor', 'toString')).toBe('P3');
  });
});

describe('priorityFor with a partial matrix', () => {
  it('falls back from a specific row to the wildcard row, then to P3', () => {
    const matrix = parsePriorityMatrix({ critical: { production: 'P0' }, '*': { staging: 'P1' } });
    expect(priorityFor(matrix, 'critical', 'production')).toBe('P0');
    expect(priorityFor(matrix, 'critical', 'staging')).toBe('P1');
    expect(priorityFor(matrix, 'critical', 'development')).toBe('P3');
    expect(priorityFor(matrix, 'warning', 'staging')).toBe('P1');
  });
});

describe('parsePriorityMatrix', () => {
  it('accepts the default matrix unchanged', () => {
    expect(parsePriorityMatrix(JSON.parse(JSON.stringify(DEFAULT_PRIORITY_MATRIX)))).toEqual(
      DEFAULT_PRIORITY_MATRIX,
    );
  });

  it('lower-cases keys', () => {
    expect(parsePriorityMatrix({ Critical: { Production: 'P0' } })).toEqual({
      critical: { production: 'P0' },
    });
  });

  it.each([
    [null, 'priorityMatrix must be an object'],
    [[], 'priorityMatrix must be an object'],
    [{}, 'priorityMatrix must have at least one severity row'],
    [{ critical: 'P0' }, 'priorityMatrix.critical must be an object'],
    [{ critical: {} }, 'priorityMatrix.critical must have at least one environment'],
    [
      { critical: { production: 'P5' } },
      'priorityMatrix.critical.production must be one of P0, P1, P2, P3 (got "P5")',
    ],
    [
      { critical: { production: 0 } },
      'priorityMatrix.critical.production must be one of P0, P1, P2, P3 (got 0)',
    ],
    [{ critical: { '': 'P0' } }, 'priorityMatrix.critical has an empty key'],
    [{ critical: { '*': 'P1' }, CRITICAL: { '*': 'P0' } }, 'priorityMatrix.critical is given twice'],
  ])('rejects %j naming the bad key', (input, message) => {
    expect(() => parsePriorityMatrix(input)).toThrow(message);
  });

  it('uses the caller path in messages', () => {
    expect(() => parsePriorityMatrix({ warning: { prod: 'high' } }, 'config.priority')).toThrow(
      'config.priority.warning.prod must be one of',
    );
  });

  it('keeps a __proto__ key as data', () => {
    const matrix = parsePriorityMatrix(JSON.parse('{"__proto__": {"*": "P0"}, "*": {"*": "P3"}}'));
    expect(Object.getPrototypeOf(matrix)).toBe(Object.prototype);
    expect(priorityFor(matrix, '__proto__', 'production')).toBe('P0');
  });
});
