import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { sealData } from 'iron-session';
import { describe, expect, it } from 'vitest';
import { type LoginTransaction, LoginTransactions } from './login-transaction.ts';

const SECRET = 'login-transaction-test-secret-0123456789';
const PASSWORDS = { 1: SECRET };
const STATE = 's'.repeat(43);

/** The documented cookie name, computed here independently of the implementation. */
const cookieName = (state: string) =>
  `__Host-bff_login_${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;

const transaction = (overrides: Partial<LoginTransaction> = {}): LoginTransaction => ({
  state: STATE,
  nonce: 'n'.repeat(43),
  codeVerifier: 'v'.repeat(43),
  returnTo: '/devices',
  createdAt: 1_700_000_000_000,
  ...overrides,
});

/** A tiny app around LoginTransactions: `/start` stores `transaction()`, `/finish?state=` reports it. */
function transactionsApp(passwords: Record<string, string> = PASSWORDS) {
  const transactions = new LoginTransactions(passwords);
  const app = new Hono();
  app.get('/start', async (c) => {
    await transactions.start(c, transaction({ state: c.req.query('state') ?? STATE }));
    return c.body(null, 204);
  });
  app.get('/finish', async (c) =>
    c.json({ tx: (await transactions.finish(c, c.req.query('state'))) ?? null }),
  );
  app.onError((error, c) => c.json({ thrown: error.message }, 500));
  const get = (path: string, cookie?: string) =>
    app.request(`https://app.example${path}`, cookie ? { headers: { cookie } } : {});
  return { app, get };
}

const setCookieNames = (response: Response) =>
  response.headers.getSetCookie().map((line) => line.slice(0, line.indexOf('=')));

const expired = (response: Response, name: string) =>
  response.headers.getSetCookie().some((line) => line.startsWith(`${name}=;`) && /Max-Age=0/.test(line));

describe('LoginTransactions round trip', () => {
  it('finds the transaction for its state once, and removes its cookie', async () => {
    const { get } = transactionsApp();
    const started = await get(`/start?state=${STATE}`);
    const [line = ''] = started.headers.getSetCookie();
    expect(line.startsWith(`${cookieName(STATE)}=`)).toBe(true);
    const value = line.slice(line.indexOf('=') + 1, line.indexOf(';'));

    const finished = await get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${value}`);
    expect(finished.status).toBe(200);
    expect((await finished.json()).tx).toMatchObject({ state: STATE, returnTo: '/devices' });
    expect(expired(finished, cookieName(STATE))).toBe(true);
  });

  it('does not hand out a transaction sealed for another state under this state’s name', async () => {
    const other = 'o'.repeat(43);
    const sealed = await sealData(transaction({ state: other }), { password: PASSWORDS, ttl: 600 });
    const response = await transactionsApp().get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${sealed}`);
    expect(await response.json()).toEqual({ tx: null });
  });
});

describe('LoginTransactions.finish with a crafted cookie', () => {
  const fakeSealParts = 'c2FsdA*aXY*ZGF0YQ';
  it.each([
    ['a wrong mac prefix', 'Fe27.2*1*a*b*c**e*f~2'],
    ['a non-numeric expiry', `Fe26.2*1*${fakeSealParts}*soon*abcd*bWFj~2`],
    ['a negative expiry', `Fe26.2*1*${fakeSealParts}*-1*abcd*bWFj~2`],
    ['key id constructor', `Fe26.2*constructor*${fakeSealParts}**abcd*bWFj~2`],
    ['key id __proto__', `Fe26.2*__proto__*${fakeSealParts}**abcd*bWFj~2`],
    ['key id toString', `Fe26.2*toString*${fakeSealParts}*9999999999999*abcd*bWFj~2`],
    ['an unknown key id', `Fe26.2*7*${fakeSealParts}*9999999999999*abcd*bWFj~2`],
    ['too few components', 'Fe26.2*1*a*b~2'],
    ['too many components', 'Fe26.2*1*a*b*c*1*e*f*g~2'],
    ['no version', `Fe26.2*1*${fakeSealParts}*9999999999999*abcd*bWFj`],
    ['another version', `Fe26.2*1*${fakeSealParts}*9999999999999*abcd*bWFj~1`],
    ['a second version delimiter', `Fe26.2*1*${fakeSealParts}*9999999999999*abcd*bWFj~2~2`],
    ['garbage', 'not-a-seal'],
    ['an oversized value', `Fe26.2*1*${'a'.repeat(5000)}*aXY*ZGF0YQ*9999999999999*abcd*bWFj~2`],
  ])('answers "no transaction" for %s, never throws, and removes the cookie', async (_label, value) => {
    const response = await transactionsApp().get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${value}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tx: null });
    expect(expired(response, cookieName(STATE))).toBe(true);
  });

  it('answers "no transaction" for a well-formed seal under a wrong key or with a bad mac', async () => {
    const foreign = await sealData(transaction(), {
      password: { 1: 'another-secret-entirely-0123456789abcdef' },
      ttl: 600,
    });
    const { get } = transactionsApp();
    for (const value of [foreign, foreign.replace(/\*[\w-]+~2$/, '*AAAA~2')]) {
      const response = await get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${value}`);
      expect(await response.json()).toEqual({ tx: null });
    }
  });

  it('answers "no transaction" for an expired seal', async () => {
    const sealed = await sealData(transaction(), { password: PASSWORDS, ttl: 600 });
    // Move the expiry (before the hmac) an hour into the past: expired before the mac is checked.
    const stale = sealed.replace(/\*(\d+)\*([0-9a-f]+\*[\w-]+~2)$/, (_m, exp: string, rest: string) => {
      return `*${Number(exp) - 3_600_000}*${rest}`;
    });
    expect(stale).not.toBe(sealed);
    const response = await transactionsApp().get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${stale}`);
    expect(await response.json()).toEqual({ tx: null });
  });

  it('still opens seals of every configured key (rotation)', async () => {
    const old = await sealData(transaction(), { password: PASSWORDS, ttl: 600 });
    const rotated = transactionsApp({ 2: 'the-newer-login-secret-0123456789abcdef', ...PASSWORDS });
    const response = await rotated.get(`/finish?state=${STATE}`, `${cookieName(STATE)}=${old}`);
    expect((await response.json()).tx).toMatchObject({ state: STATE });
  });
});

describe('LoginTransactions.start with many pending sign-ins', () => {
  const ours = (i: number) => `${cookieName(`state-number-${i}-${'x'.repeat(30)}`)}=v${i}`;

  it.each(['(', ':', '/', '?', '{', '[', '@', ','])(
    'ignores a foreign cookie name containing %s instead of throwing',
    async (char) => {
      const foreign = `__Host-bff_login_a${char}b=1`;
      const { get } = transactionsApp();
      for (const cookie of [
        [ours(1), ours(2), ours(3), foreign].join('; '),
        [ours(1), ours(2), ours(3), ours(4), foreign].join('; '),
      ]) {
        const response = await get(`/start?state=${STATE}`, cookie);
        expect(response.status).toBe(204);
        expect(setCookieNames(response)).not.toContain(foreign.slice(0, foreign.indexOf('=')));
      }
    },
  );

  it('counts only names that are exactly ours, and clears them all at the limit', async () => {
    const { get } = transactionsApp();
    const lookalikes = ['__Host-bff_login_short=1', `__Host-bff_login_${'a'.repeat(17)}=1`, 'bff_login_x=1'];
    const three = await get(`/start?state=${STATE}`, [ours(1), ours(2), ours(3), ...lookalikes].join('; '));
    expect(setCookieNames(three)).toEqual([cookieName(STATE)]);

    const four = await get(`/start?state=${STATE}`, [ours(1), ours(2), ours(3), ours(4)].join('; '));
    const names = setCookieNames(four);
    for (let i = 1; i <= 4; i++) expect(expired(four, ours(i).split('=')[0] ?? '')).toBe(true);
    expect(names.at(-1)).toBe(cookieName(STATE));
  });
});
