import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from './test-support.ts';

let stack: TestStack;
let sealed: string;

beforeAll(async () => {
  stack = await startTestStack();
  const browser = new CookieJarClient();
  await signInThroughBff(stack, browser, 'operator');
  sealed = browser.cookies(new URL(stack.appUrl).host).get('__Host-bff_session') ?? '';
});
afterAll(() => stack.dispose());

const sessionWith = (cookie: string) =>
  fetch(`${stack.appUrl}/bff/session`, { headers: { ...csrfHeaders, cookie } });

describe('the session cookie as an attacker might send it', () => {
  it('is accepted as issued', async () => {
    expect((await sessionWith(`__Host-bff_session=${sealed}`)).status).toBe(200);
  });

  it.each([
    ['tampered', () => `${sealed.slice(0, 60)}${sealed[60] === 'A' ? 'B' : 'A'}${sealed.slice(61)}`],
    ['truncated', () => sealed.slice(0, -10)],
    ['empty', () => ''],
    ['garbage', () => 'Fe26.2**not-a-seal'],
    ['oversized', () => 'x'.repeat(12_000)],
    ['claiming chunks that are missing', () => `3~${sealed}`],
  ])('treats a %s cookie as signed out (401), never a 500', async (_label, make) => {
    const response = await sessionWith(`__Host-bff_session=${make()}`);
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('unauthenticated');
  });

  it("leaves a cookie header beyond Node's 16 KB header limit to Node: 431, still not a 500", async () => {
    expect((await sessionWith(`__Host-bff_session=${'x'.repeat(40_000)}`)).status).toBe(431);
  });

  it('ignores the cookie without its __Host- prefix (a sibling subdomain could have planted it)', async () => {
    expect((await sessionWith(`bff_session=${sealed}`)).status).toBe(401);
  });
});

describe('cookie secrets', () => {
  it('keeps sessions across a restart with rotated secrets, and drops them once the old secret is removed', async () => {
    const old = stack.cookieSecrets;
    const rotated = await startTestStack({
      bffEnv: { COOKIE_SECRETS: `2:a-brand-new-secret-of-32-characters-x,1:${old[1]}` },
    });
    try {
      const browser = new CookieJarClient();
      await signInThroughBff(rotated, browser, 'viewer');
      const cookie = `__Host-bff_session=${browser.cookies(new URL(rotated.appUrl).host).get('__Host-bff_session')}`;
      // A cookie sealed by the old key alone (from the first stack) still opens in the rotated one...
      const oldCookieResponse = await fetch(`${rotated.appUrl}/bff/session`, {
        headers: { ...csrfHeaders, cookie: `__Host-bff_session=${sealed}` },
      });
      expect(oldCookieResponse.status).toBe(200);
      // ...and a new seal is made with key 2, which the first stack (key 1 only) cannot open.
      expect((await sessionWith(cookie)).status).toBe(401);
    } finally {
      await rotated.dispose();
    }
  });
});
