import { isGoZeroTime, parseRfc3339 } from './time.ts';

describe('parseRfc3339', () => {
  it.each([
    ['2024-01-01T10:00:00Z', '2024-01-01T10:00:00.000Z'],
    ['2024-01-01T10:00:00.123456789Z', '2024-01-01T10:00:00.123Z'],
    ['2024-01-01T12:00:00+02:00', '2024-01-01T10:00:00.000Z'],
    ['2024-02-29T00:00:00z', '2024-02-29T00:00:00.000Z'],
    ['2024-01-01 10:00:00Z', '2024-01-01T10:00:00.000Z'],
  ])('accepts %s', (input, iso) => {
    expect(parseRfc3339(input)?.toISOString()).toBe(iso);
  });

  it.each([
    '2024',
    '1',
    'yesterday',
    '2024-01-01',
    '2024-01-01T10:00:00',
    '2023-02-29T00:00:00Z',
    '2024-02-30T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:00+25:00',
  ])('rejects %s', (input) => {
    expect(parseRfc3339(input)).toBeUndefined();
  });

  it('recognises Go zero time', () => {
    expect(isGoZeroTime(parseRfc3339('0001-01-01T00:00:00Z')!)).toBe(true);
    expect(isGoZeroTime(parseRfc3339('2024-01-01T00:00:00Z')!)).toBe(false);
  });
});
