import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform, TestOAuthClient } from './test-support.ts';

const dataDir = await mkdtemp(join(tmpdir(), 'iot-platform-restart-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe('platform restart', () => {
  it('keeps signing keys and refresh tokens, so nobody is signed out', async () => {
    const first = await startTestPlatform({ DATA_DIR: dataDir });
    const client = await TestOAuthClient.forBff(first);
    const { tokens } = await client.signIn('operator', 'operator');
    const keysBefore = await (await fetch(`${first.issuer}/jwks`)).json();
    const port = new URL(first.issuer).port;
    await first.dispose();

    const second = await startTestPlatform({ DATA_DIR: dataDir, AUTH_PORT: port });
    try {
      expect(second.issuer).toBe(first.issuer);
      expect(await (await fetch(`${second.issuer}/jwks`)).json()).toEqual(keysBefore);
      const again = await TestOAuthClient.forBff(second);
      expect(await again.refreshOutcome(tokens.refresh_token ?? '')).toBe('ok');
    } finally {
      await second.dispose();
    }
  });
});
