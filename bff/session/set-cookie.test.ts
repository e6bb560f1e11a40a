import { describe, expect, it } from 'vitest';
import { parseSetCookie, sessionCookieProblems } from './set-cookie.ts';

describe('parseSetCookie', () => {
  it('splits name, value and lower-cased attributes', () => {
    expect(
      parseSetCookie('__Host-a=1~x=y; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict'),
    ).toStrictEqual({
      name: '__Host-a',
      value: '1~x=y',
      attributes: { 'max-age': '60', path: '/', httponly: true, secure: true, samesite: 'Strict' },
    });
  });
});

describe('sessionCookieProblems', () => {
  it('accepts the session cookie line and its deletion', () => {
    expect(
      sessionCookieProblems('__Host-a=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict'),
    ).toEqual([]);
    expect(sessionCookieProblems('__Host-a=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict')).toEqual(
      [],
    );
  });

  it('names every deviation', () => {
    expect(
      sessionCookieProblems(`a=${'v'.repeat(4100)}; Path=/x; Secure; SameSite=Lax; Domain=example.com`),
    ).toEqual([
      'name a lacks the __Host- prefix',
      'path is /x, expected /',
      'httponly is undefined, expected true',
      'samesite is Lax, expected Strict',
      'max-age is undefined',
      'unexpected attribute domain',
      'line is 4153 bytes, over 4096',
    ]);
  });
});
