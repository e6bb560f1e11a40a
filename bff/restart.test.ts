import { describe, expect, it } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from './test-support.ts';

describe('BFF restart on the embedded defaults', () => {
  it('generates cookie secrets once, keeps them in the data folder, and signs nobody out on restart', async () => {
    const stack = await startTestStack({ generateCookieSecrets: true });
    try {
      const browser = new CookieJarClient();
      await signInThroughBff(stack, browser, 'operator');
      const cookie = browser.cookieHeader(new URL(stack.appUrl));
      const { readFile } = await import('node:fs/promises');
      const secrets = JSON.parse(await readFile(`${stack.config.dataDir}/bff/cookie-secrets.json`, 'utf8'));
      expect(Object.values(secrets)[0]).toMatch(/^[\w-]{43}$/);
      // A second BFF on the same data folder (the restart) opens the same cookie.
      const { startBff } = await import('./server.ts');
      const { listen } = await import('../lib/http-server.ts');
      const bound = await listen('127.0.0.1', 0);
      const restarted = await startBff(
        { ...stack.config, appUrl: `http://127.0.0.1:${bound.port}`, cookieSecrets: undefined },
        {},
        bound,
      );
      try {
        const response = await fetch(`http://127.0.0.1:${bound.port}/bff/session`, {
          headers: { ...csrfHeaders, cookie },
        });
        expect(response.status).toBe(200);
      } finally {
        await restarted.close();
      }
    } finally {
      await stack.dispose();
    }
  });

  /** Stops the stack's BFF and starts a new one on the same port and data folder (the restart). */
  async function restartBff(stack: TestStack): Promise<void> {
    const { startBff } = await import('./server.ts');
    const { listen } = await import('../lib/http-server.ts');
    await stack.bff.close();
    const port = Number(new URL(stack.appUrl).port);
    const bound = await listen('127.0.0.1', port);
    stack.bff = await startBff(stack.config, { cookieSecrets: stack.cookieSecrets }, bound);
  }

  /** The first request after a restart may meet a kept-alive socket the old server closed. */
  async function fetchAfterRestart(browser: CookieJarClient, url: string): Promise<Response> {
    try {
      return await browser.fetch(url, { headers: csrfHeaders });
    } catch {
      return browser.fetch(url, { headers: csrfHeaders });
    }
  }

  it('keeps a copied cookie refused after a logout and a restart', async () => {
    const stack = await startTestStack();
    try {
      const browser = new CookieJarClient();
      await signInThroughBff(stack, browser, 'operator');
      const copied = browser.copy();
      expect(
        (await browser.fetch(`${stack.appUrl}/bff/logout`, { method: 'POST', headers: csrfHeaders })).status,
      ).toBe(200);
      await restartBff(stack);
      const replay = await fetchAfterRestart(copied, `${stack.appUrl}/api/devices?limit=1`);
      expect(replay.status).toBe(401);
    } finally {
      await stack.dispose();
    }
  });

  it('never replays a rotated refresh token after a restart, and the session carries on', async () => {
    // 2 s access tokens: a request after 2.5 s must refresh (real time; nothing asserts on it).
    const stack = await startTestStack({ platformEnv: { AUTH_ACCESS_TOKEN_TTL: '2' } });
    try {
      const browser = new CookieJarClient();
      await signInThroughBff(stack, browser, 'operator');
      const beforeRefresh = browser.copy();
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(
        (await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders })).status,
      ).toBe(200);
      await stack.settled();
      const grantsAfterRefresh = stack.platform.stats.current.tokenRequests.refresh_token ?? 0;
      expect(grantsAfterRefresh).toBe(1);

      await restartBff(stack);
      // The tab that still holds the pre-refresh cookie: served from the remembered result.
      const stale = await fetchAfterRestart(beforeRefresh, `${stack.appUrl}/api/devices?limit=1`);
      expect(stale.status).toBe(200);
      const current = await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders });
      expect(current.status).toBe(200);
      const stats = stack.platform.stats.current;
      expect(stats.refreshTokenReuse).toBe(0);
      expect(stats.revokedGrants).toBe(0);
      expect(stats.tokenRequests.refresh_token ?? 0).toBe(grantsAfterRefresh);
    } finally {
      await stack.dispose();
    }
  });
});
