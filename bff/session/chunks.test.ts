import { describe, expect, it } from 'vitest';
import { chunkCookieName, chunkNamesAmong, joinSeal, splitSeal } from './chunks.ts';

const room = (sizes: number[]) => (index: number) => sizes[index] ?? 0;

describe('splitSeal', () => {
  it('uses one cookie when the seal fits, prefixed with the count', () => {
    expect(splitSeal('abcdefgh', room([10]), 4)).toEqual(['1~abcdefgh']);
  });

  it('fills cookies greedily and puts the count only in the first', () => {
    expect(splitSeal('abcdefghij', room([6, 6, 6]), 4)).toEqual(['2~abcd', 'efghij']);
    expect(splitSeal('abcdefghijklmn', room([6, 6, 6]), 4)).toEqual(['3~abcd', 'efghij', 'klmn']);
  });

  it('gives up when even maxChunks cookies are too small', () => {
    expect(splitSeal('abcdefghijklmn', room([6, 6, 6]), 2)).toBeUndefined();
    expect(splitSeal('abc', room([2]), 4)).toBeUndefined();
  });
});

describe('joinSeal', () => {
  const base = '__Host-s';

  it('joins exactly the declared chunks in order', () => {
    expect(joinSeal({ [base]: '3~abcd', [`${base}.1`]: 'efghij', [`${base}.2`]: 'klmn' }, base, 4)).toBe(
      'abcdefghijklmn',
    );
  });

  it('ignores chunks beyond the count', () => {
    expect(joinSeal({ [base]: '1~abcd', [`${base}.1`]: 'stale' }, base, 4)).toBe('abcd');
  });

  it.each<[string, Record<string, string>]>([
    ['no main cookie', { [`${base}.1`]: 'x' }],
    ['no count', { [base]: 'abcd' }],
    ['a zero count', { [base]: '0~abcd' }],
    [
      'a count over maxChunks, even with every chunk there',
      { [base]: '5~a', [`${base}.1`]: 'b', [`${base}.2`]: 'c', [`${base}.3`]: 'd', [`${base}.4`]: 'e' },
    ],
    ['a missing chunk', { [base]: '2~abcd' }],
    ['an empty chunk', { [base]: '2~abcd', [`${base}.1`]: '' }],
    ['an empty first part', { [base]: '1~' }],
    ['a cookie over 4096 bytes', { [base]: `1~${'a'.repeat(4096)}` }],
  ])('refuses %s', (_, cookies) => {
    expect(joinSeal(cookies, base, 4)).toBeUndefined();
  });

  it('round-trips what splitSeal made', () => {
    const sealed = 'x'.repeat(10_000);
    const values = splitSeal(sealed, () => 4000, 4) ?? [];
    const cookies = Object.fromEntries(values.map((value, i) => [chunkCookieName(base, i), value]));
    expect(values).toHaveLength(3);
    expect(joinSeal(cookies, base, 4)).toBe(sealed);
  });
});

describe('chunk names', () => {
  it('names chunks after the main cookie', () => {
    expect([0, 1, 2].map((i) => chunkCookieName('bff_session', i))).toEqual([
      'bff_session',
      'bff_session.1',
      'bff_session.2',
    ]);
  });

  it('finds only numbered chunks of the given name', () => {
    const names = ['s', 's.1', 's.12', 's.x', 'sx.1', 's.', 'other.1', 's.1.2'];
    expect(chunkNamesAmong(names, 's')).toEqual(['s.1', 's.12']);
  });
});
