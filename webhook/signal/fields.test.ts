import { ValidationProblem } from '../http/problem.ts';
import {
  childPath,
  optionalCount,
  optionalString,
  optionalStringMap,
  optionalTimestamp,
  requiredString,
} from './fields.ts';

const limits = { maxEntries: 2, maxValueLength: 5 };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationProblem) return err.field;
    throw err;
  }
  throw new Error('expected a ValidationProblem');
}

describe('fields', () => {
  it('builds unambiguous field paths', () => {
    expect(childPath('', 'alerts')).toBe('alerts');
    expect(childPath('alerts[0]', 'labels')).toBe('alerts[0].labels');
    expect(childPath('alerts[0].labels', 'app.kubernetes.io/name')).toBe(
      'alerts[0].labels["app.kubernetes.io/name"]',
    );
  });

  it('reads strings, treating null and blank as absent', () => {
    expect(optionalString({ a: ' x ' }, 'a', '', 10)).toBe('x');
    expect(optionalString({ a: null }, 'a', '', 10)).toBeUndefined();
    expect(optionalString({ a: '  ' }, 'a', '', 10)).toBeUndefined();
    expect(fieldOf(() => optionalString({ a: 1 }, 'a', 'p', 10))).toBe('p.a');
    expect(fieldOf(() => optionalString({ a: 'toolong' }, 'a', 'p', 3))).toBe('p.a');
    expect(fieldOf(() => requiredString({}, 'a', 'p', 3))).toBe('p.a');
  });

  it('reads string maps and bounds them', () => {
    expect(optionalStringMap({}, 'labels', 'x', limits)).toEqual({});
    expect(optionalStringMap({ labels: { a: '1' } }, 'labels', 'x', limits)).toEqual({ a: '1' });
    expect(fieldOf(() => optionalStringMap({ labels: [] }, 'labels', 'x', limits))).toBe('x.labels');
    expect(fieldOf(() => optionalStringMap({ labels: { a: 1 } }, 'labels', 'x', limits))).toBe('x.labels.a');
    expect(fieldOf(() => optionalStringMap({ labels: { a: '123456' } }, 'labels', 'x', limits))).toBe(
      'x.labels.a',
    );
    expect(fieldOf(() => optionalStringMap({ labels: { a: '', b: '', c: '' } }, 'labels', 'x', limits))).toBe(
      'x.labels',
    );
  });

  it('keeps a __proto__ key as a plain entry', () => {
    const map = optionalStringMap(JSON.parse('{"l":{"__proto__":"x"}}'), 'l', '', limits);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(Object.keys(map)).toEqual(['__proto__']);
  });

  it('reads timestamps as ISO UTC, Go zero time as absent', () => {
    expect(optionalTimestamp({ t: '2024-05-01T12:00:00+02:00' }, 't', '')).toBe('2024-05-01T10:00:00.000Z');
    expect(optionalTimestamp({ t: '0001-01-01T00:00:00Z' }, 't', '')).toBeUndefined();
    expect(fieldOf(() => optionalTimestamp({ t: 'soon' }, 't', 'a[1]'))).toBe('a[1].t');
  });

  it('reads counts', () => {
    expect(optionalCount({ c: 3 }, 'c', '')).toBe(3);
    expect(fieldOf(() => optionalCount({ c: -1 }, 'c', ''))).toBe('c');
    expect(fieldOf(() => optionalCount({ c: '3' }, 'c', ''))).toBe('c');
  });
});
