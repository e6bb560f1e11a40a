import { describe, expect, it } from 'vitest';
import { MAX_RETURN_TO_LENGTH, parseReturnTo, type ReturnToRejection } from './return-to.ts';
import { OPEN_REDIRECT_ATTEMPTS, SAFE_RETURN_TO_CASES } from './return-to-cases.ts';

describe('parseReturnTo accepts same-origin relative paths', () => {
  it.each(SAFE_RETURN_TO_CASES)('$raw -> $path', ({ raw, path }) => {
    expect(parseReturnTo(raw)).toEqual({ ok: true, path });
  });

  it('returns a path that is itself accepted unchanged', () => {
    for (const { path } of SAFE_RETURN_TO_CASES) expect(parseReturnTo(path)).toEqual({ ok: true, path });
  });
});

describe('parseReturnTo refuses every open-redirect attempt', () => {
  it.each(OPEN_REDIRECT_ATTEMPTS.map((raw) => [JSON.stringify(raw).slice(0, 80), raw] as const))(
    '%s',
    (_, raw) => {
      const result = parseReturnTo(raw);
      expect(result.ok).toBe(false);
    },
  );
});

describe('parseReturnTo names the rule that refused', () => {
  const cases: [string, ReturnToRejection][] = [
    [`/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`, 'too_long'],
    ['https://evil.com', 'not_relative'],
    ['javascript:alert(1)', 'not_relative'],
    ['data:text/html,x', 'not_relative'],
    ['%2F%2Fevil.com', 'not_relative'],
    ['devices', 'not_relative'],
    ['//evil.com', 'protocol_relative'],
    ['/%2F%2Fevil.com', 'protocol_relative'],
    ['/%252F%252Fevil.com', 'protocol_relative'],
    ['/%25%32%46evil.com', 'protocol_relative'],
    ['/a/..//evil.com', 'protocol_relative'],
    ['/.//evil.com', 'protocol_relative'],
    ['/\\evil.com', 'backslash'],
    ['/devices?next=\\x', 'backslash'],
    ['/%5Cevil', 'backslash'],
    ['/%255Cevil', 'backslash'],
    ['/\t/evil.com', 'control_or_whitespace'],
    ['/a b', 'control_or_whitespace'],
    ['/é', 'control_or_whitespace'],
    ['/%0a', 'control_or_whitespace'],
    ['/%09', 'control_or_whitespace'],
    ['/%00', 'control_or_whitespace'],
    ['/%250d%250a', 'control_or_whitespace'],
    ['/%E2%80%AE', 'control_or_whitespace'],
    ['/%C2%A0', 'control_or_whitespace'],
    ['/%', 'invalid_percent_encoding'],
    ['/%zz', 'invalid_percent_encoding'],
    ['/%FF', 'invalid_percent_encoding'],
    ['/%2525252525252Fevil.com', 'too_deeply_encoded'],
    ['/../evil.com', 'path_escape'],
    ['/%2e%2e/evil.com', 'path_escape'],
    ['/%252e%252e/evil.com', 'path_escape'],
    ['/a/../../evil.com', 'path_escape'],
  ];

  it.each(cases)('%s -> %s', (raw, reason) => {
    expect(parseReturnTo(raw)).toEqual({ ok: false, reason });
  });
});

describe('parseReturnTo limits', () => {
  it('looks through up to four layers of encoding', () => {
    expect(parseReturnTo('/%2525252Fx')).toEqual({ ok: false, reason: 'protocol_relative' });
    expect(parseReturnTo('/%252525252Fx')).toEqual({ ok: false, reason: 'too_deeply_encoded' });
    expect(parseReturnTo('/%25252541')).toEqual({ ok: true, path: '/%25252541' });
    expect(parseReturnTo('/%2525252541')).toEqual({ ok: false, reason: 'too_deeply_encoded' });
  });

  it('decodes a form with a stray percent leniently, so a hidden %2F, %5C or %09 is still seen', () => {
    // `/%252F%25` -> `/%2F%` (not decodable as a whole) -> `//%`.
    expect(parseReturnTo('/%252F%25')).toEqual({ ok: false, reason: 'protocol_relative' });
    expect(parseReturnTo('/%255C%25')).toEqual({ ok: false, reason: 'backslash' });
    expect(parseReturnTo('/x%2509%25')).toEqual({ ok: false, reason: 'control_or_whitespace' });
    // `/%25%252F%252Fevil` -> `/%%2F%2Fevil` -> `/%//evil`: still a path on our origin.
    expect(parseReturnTo('/%25%252F%252Fevil')).toEqual({ ok: true, path: '/%25%252F%252Fevil' });
  });

  it('accepts exactly 2048 characters', () => {
    expect(parseReturnTo(`/${'a'.repeat(MAX_RETURN_TO_LENGTH - 1)}`).ok).toBe(true);
    expect(parseReturnTo(`/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`).ok).toBe(false);
  });
});
