import { afterEach, describe, expect, it } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from '../test-support.ts';
import { JobsService } from './jobs-service.ts';

// Pages and the API are served while the jobs database is not ready; the jobs routes say why.

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.dispose();
  stack = undefined;
});

async function signedIn(s: TestStack): Promise<CookieJarClient> {
  const browser = new CookieJarClient();
  await signInThroughBff(s, browser, 'operator');
  return browser;
}

describe('jobs routes before the jobs database is ready', () => {
  it('answer 503 jobs_unavailable with Retry-After while it starts, and /api keeps working', async () => {
    // A jobs service that is never started: exactly the state of the first seconds after a start.
    const starting = new JobsService({
      database: { dataDir: '/never-opened' },
      apiBaseUrl: 'http://127.0.0.1:9/v1',
      tokens: { getAccessToken: async () => 'unused' },
      idpRetryBudgetMs: 0,
      apiRetryBudgetMs: 0,
      autoResumeSeconds: 1,
      leaseSeconds: 10,
      commandPollMs: 10,
      commandTimeoutMs: 10,
      concurrency: 1,
    });
    stack = await startTestStack({ deps: { jobs: starting } });
    const browser = await signedIn(stack);
    for (const [method, path] of [
      ['GET', '/bff/jobs'],
      ['POST', '/bff/jobs'],
    ] as const) {
      const response = await browser.fetch(`${stack.appUrl}${path}`, { method, headers: csrfHeaders });
      expect(response.status, path).toBe(503);
      expect(response.headers.get('retry-after'), path).toBe('2');
      expect(await response.json()).toMatchObject({
        error: 'jobs_unavailable',
        requestId: expect.any(String),
      });
    }
    expect(
      (await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders })).status,
    ).toBe(200);
  });

  it('answer 503 jobs_unavailable naming the missing secret when automation is not configured', async () => {
    stack = await startTestStack();
    const browser = await signedIn(stack);
    const response = await browser.fetch(`${stack.appUrl}/bff/jobs`, { headers: csrfHeaders });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).not.toBeNull();
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('jobs_unavailable');
    expect(body.message).toContain('AUTOMATION_CLIENT_SECRET');
  });

  it('answer 503 when the embedded database is locked by another process', async () => {
    stack = await startTestStack({
      bffEnv: { AUTOMATION_CLIENT_SECRET: 'dev-only-automation-secret-change-me' },
    });
    await stack.bff.jobs?.start();
    // A second BFF on the same data folder: the lock file refuses it instead of letting it diverge.
    const second = new JobsService({
      database: { dataDir: stack.config.dataDir },
      apiBaseUrl: stack.config.apiUpstream,
      tokens: { getAccessToken: async () => 'unused' },
      idpRetryBudgetMs: 0,
      apiRetryBudgetMs: 0,
      autoResumeSeconds: 1,
      leaseSeconds: 10,
      commandPollMs: 10,
      commandTimeoutMs: 10,
      concurrency: 1,
    });
    await second.start();
    expect(second.state).toMatchObject({ state: 'failed', message: expect.stringMatching(/lock/i) });
    expect(() => second.runner()).toThrow(expect.objectContaining({ code: 'jobs_unavailable', status: 503 }));
    await second.stop();
    expect(stack.bff.jobs?.state.state).toBe('ready');
  });
});
