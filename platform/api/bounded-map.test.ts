import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.ts';

describe('BoundedMap', () => {
  it('forgets the oldest entries beyond its size', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.has('a')).toBe(false);
    expect([...map.values()]).toEqual([2, 3]);
  });

  it('treats a replaced entry as the newest', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    map.set('c', 3);
    expect(map.get('a')).toBe(10);
    expect(map.has('b')).toBe(false);
  });

  it.each([0, -1, 1.5])('refuses size %s', (size) => {
    expect(() => new BoundedMap(size)).toThrow(RangeError);
  });
});
