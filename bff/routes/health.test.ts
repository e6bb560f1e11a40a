import { afterEach, describe, expect, it } from 'vitest';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import { JobsService } from '../jobs/index.ts';
import { startTestStack, type TestStack } from '../test-support.ts';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.dispose();
  stack = undefined;
});

async function readyz(
  s: TestStack,
): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const response = await fetch(`${s.appUrl}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, string> },
  };
}

/** Readiness follows the provider's discovery, which runs in the background after start. */
async function untilProviderLoaded(s: TestStack) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const answer = await readyz(s);
    if (answer.body.checks.provider === 'ok') return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('provider metadata never loaded');
}

describe('/healthz and /readyz', () => {
  it('answers alive and ready without a session or CSRF header, and without cookies', async () => {
    stack = await startTestStack();
    const health = await fetch(`${stack.appUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'alive' });
    expect(health.headers.get('set-cookie')).toBeNull();
    const ready = await untilProviderLoaded(stack);
    expect(ready).toEqual({
      status: 200,
      body: { status: 'ready', checks: { provider: 'ok', store: 'ok', jobs: 'off' } },
    });
  });

  it('is not ready while the jobs database starts, or when the store does not answer', async () => {
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
    let storeDown = false;
    const backing = new (await import('../coordination/coordination-store.ts')).MemoryCoordinationStore();
    const store: CoordinationStore = new Proxy(backing, {
      get(target, property, receiver) {
        if (property === 'get' && storeDown)
          return async () => Promise.reject(new Error('connection refused'));
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    stack = await startTestStack({ deps: { jobs: starting, store } });
    const whileStarting = await untilProviderLoaded(stack);
    expect(whileStarting.status).toBe(503);
    expect(whileStarting.body.checks).toEqual({ provider: 'ok', store: 'ok', jobs: 'starting' });
    storeDown = true;
    const storeFailing = await readyz(stack);
    expect(storeFailing.status).toBe(503);
    expect(storeFailing.body.checks.store).toMatch(/^unreachable/);
  });
});
