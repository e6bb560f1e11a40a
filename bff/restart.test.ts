import { describe, expect, it } from 'vitest';
import { CookieJarClient, csrfHeaders, signInThroughBff, startTestStack } from './test-support.ts';

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
});
