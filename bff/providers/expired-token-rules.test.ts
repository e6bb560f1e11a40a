import { describe, expect, it } from 'vitest';
import { bearerChallengeError, expiredTokenRules, matchingRule } from './expired-token-rules.ts';

const answer = (status: number, challenge?: string) => [status, challenge] as const;

describe('spotting an expired access token in an API answer', () => {
  const rules = expiredTokenRules(['facebook']);

  it.each([
    [
      401,
      'Bearer realm="iot", error="invalid_token", error_description="The access token expired"',
      'rfc6750',
    ],
    [401, 'Bearer error=invalid_token', 'rfc6750'],
    [401, 'Basic realm="x", Bearer realm="iot", error="invalid_token"', 'rfc6750'],
    [
      400,
      'OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired"',
      'facebook',
    ],
  ])('%i %s → %s', (status, challenge, rule) => {
    expect(matchingRule(rules, ...answer(status, challenge))?.name).toBe(rule);
  });

  it.each([
    [403, 'Bearer realm="iot", error="insufficient_scope", scope="devices:command"'],
    [401, 'Bearer realm="iot"'], // no token sent: not an expiry
    [401, 'Basic realm="x", error="invalid_token"'], // not a Bearer challenge
    [400, 'Bearer error="invalid_request"'],
    [400, undefined],
    [404, undefined],
    [500, 'Bearer error="invalid_token"'],
    [401, 'Bearer error="invalid_token_format"'],
  ])('%i %s → no refresh', (status, challenge) => {
    expect(matchingRule(rules, ...answer(status, challenge))).toBeUndefined();
  });

  it('applies the Facebook rule only when configured', () => {
    const plain = expiredTokenRules([]);
    expect(
      matchingRule(plain, ...answer(400, 'OAuth "Facebook Platform" "invalid_token" "x"')),
    ).toBeUndefined();
    expect(() => expiredTokenRules(['myspace'])).toThrow('myspace');
  });

  it('reads the Bearer error parameter among several challenges', () => {
    expect(bearerChallengeError('Newauth realm="apps", Bearer realm="x", error="invalid_token"')).toBe(
      'invalid_token',
    );
    expect(bearerChallengeError(null)).toBeUndefined();
  });
});
