import { isValidLabelValue, sanitizeLabelValue } from './labels.ts';

describe('sanitizeLabelValue', () => {
  it.each([
    ['KubePodCrashLooping', 'KubePodCrashLooping'],
    ['node_disk.full-1', 'node_disk.full-1'],
    ['High CPU / usage', 'High-CPU-usage'],
    ['--leading and trailing__', 'leading-and-trailing'],
    ['.hidden.', 'hidden'],
    ['Ünïcödé', 'n-c-d'],
    ['🔥fire🔥', 'fire'],
    ['', 'unknown'],
    ['   ', 'unknown'],
    ['!!!', 'unknown'],
    ['-_.', 'unknown'],
  ])('%j -> %j', (input, expected) => {
    expect(sanitizeLabelValue(input)).toBe(expected);
  });

  it('truncates to 63 characters', () => {
    const out = sanitizeLabelValue('a'.repeat(100));
    expect(out).toBe('a'.repeat(63));
  });

  it('does not end on a separator after truncation', () => {
    const out = sanitizeLabelValue('a'.repeat(62) + '-b');
    expect(out).toBe('a'.repeat(62));
  });

  it('always produces a valid label value', () => {
    const inputs = [
      'x',
      'a b c',
      '-'.repeat(70) + 'z',
      'é'.repeat(80),
      'A.'.repeat(40),
      '0_0',
      'a'.repeat(63),
    ];
    for (const input of inputs) {
      const out = sanitizeLabelValue(input);
      expect(isValidLabelValue(out)).toBe(true);
      expect(out.length).toBeGreaterThan(0);
    }
  });
});

describe('isValidLabelValue', () => {
  it('follows the Kubernetes label value rules', () => {
    expect(isValidLabelValue('')).toBe(true);
    expect(isValidLabelValue('a')).toBe(true);
    expect(isValidLabelValue('a-b_c.d')).toBe(true);
    expect(isValidLabelValue('-a')).toBe(false);
    expect(isValidLabelValue('a_')).toBe(false);
    expect(isValidLabelValue('a b')).toBe(false);
    expect(isValidLabelValue('a'.repeat(64))).toBe(false);
  });
});
