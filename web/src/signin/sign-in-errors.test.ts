import { describe, expect, it } from 'vitest';
import { describeSignInError, signInNeedsUser } from './sign-in-errors.ts';

describe('signin_error in words', () => {
  it.each([
    ['access_denied', /cancelled or refused/],
    ['login_required', /Your session ended — sign in again/],
    ['sign_in_expired', /took too long or was already used/],
    ['idp_unavailable', /sign-in service is unavailable/],
    ['invalid_response', /could not be verified/],
    ['sign_in_failed', /Sign-in failed/],
  ])('%s', (code, words) => {
    const text = describeSignInError(code);
    expect(text).toMatch(words);
    expect(text).not.toContain(code);
  });

  it('treats the other "needs the user" answers of a silent sign-in like login_required', () => {
    expect(describeSignInError('interaction_required')).toBe(describeSignInError('login_required'));
    for (const code of ['login_required', 'interaction_required', 'consent_required']) {
      expect(signInNeedsUser(code)).toBe(true);
    }
    expect(signInNeedsUser('access_denied')).toBe(false);
  });

  it('names an unknown code, but never echoes anything that is not shaped like one', () => {
    expect(describeSignInError('temporarily_unavailable')).toContain('(temporarily_unavailable)');
    const hostile = describeSignInError('<script>alert(1)</script>');
    expect(hostile).not.toContain('<');
    expect(hostile).toMatch(/did not complete/);
  });
});
