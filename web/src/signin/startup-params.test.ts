import { describe, expect, it } from 'vitest';
import { returnToOf, signInUrl } from './sign-in-url.ts';
import { readStartupParams } from './startup-params.ts';

const read = (href: string) => readStartupParams(new URL(href, 'http://localhost:3000'));

describe('startup parameters', () => {
  it('reads signin_error and strips it, keeping the route and its other parameters', () => {
    expect(read('/devices/dev-0003?range=6h&signin_error=login_required')).toEqual({
      params: { signInError: 'login_required', signedOut: false },
      cleanHref: '/devices/dev-0003?range=6h',
    });
  });

  it('recognises the return from the identity provider after sign-out', () => {
    expect(read('/?state=signed-out')).toEqual({
      params: { signInError: undefined, signedOut: true },
      cleanHref: '/',
    });
    expect(read('/alerts?state=signed-out').params.signedOut).toBe(false);
  });

  it('leaves a plain URL alone', () => {
    expect(read('/?site=ams-dc')).toEqual({
      params: { signInError: undefined, signedOut: false },
      cleanHref: undefined,
    });
  });
});

describe('sign-in URLs', () => {
  it('go to /bff/login with the current path and query as returnTo', () => {
    const url = new URL(signInUrl('/devices/dev-0001?range=7d'), 'http://app.test');
    expect(url.pathname).toBe('/bff/login');
    expect(url.searchParams.get('returnTo')).toBe('/devices/dev-0001?range=7d');
    expect(url.searchParams.has('prompt')).toBe(false);
    expect(new URL(signInUrl('/', { silent: true }), 'http://app.test').searchParams.get('prompt')).toBe(
      'none',
    );
  });

  it('never carry anything but a same-origin path', () => {
    const returnTo = (value: string) =>
      new URL(signInUrl(value), 'http://app.test').searchParams.get('returnTo');
    expect(returnTo('//evil.example/')).toBe('/');
    expect(returnTo('https://evil.example/')).toBe('/');
  });

  it('return from the signed-out page to the fleet, and drop signin_error', () => {
    expect(returnToOf({ pathname: '/signed-out', search: '', hash: '' })).toBe('/');
    expect(returnToOf({ pathname: '/alerts', search: '?signin_error=x&a=1', hash: '#top' })).toBe(
      '/alerts?a=1#top',
    );
  });
});
