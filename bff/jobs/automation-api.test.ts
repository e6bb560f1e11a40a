import { describe, expect, it } from 'vitest';
import { ServiceAccountError } from '../tokens/index.ts';
import { AutomationApi, DeviceApiError } from './automation-api.ts';
import { JobPause } from './engine/index.ts';

// The automation API's translation of failures, with a scripted token source and device API and a
// simulated clock (sleeping advances it).

function harness(options: { tokens: (force: boolean) => string; responses: (() => Response)[] }) {
  let now = 0;
  const calls: { authorization: string | null; jobId: string | null; initiatedBy: string | null }[] = [];
  const forced: boolean[] = [];
  const api = new AutomationApi(
    {
      baseUrl: 'http://api.test/v1',
      tokens: {
        getAccessToken: async ({ force = false } = {}) => {
          forced.push(force);
          return options.tokens(force);
        },
      },
      fetch: async (_input, init) => {
        const headers = new Headers(init?.headers);
        calls.push({
          authorization: headers.get('authorization'),
          jobId: headers.get('x-job-id'),
          initiatedBy: headers.get('x-initiated-by'),
        });
        const next = options.responses.shift();
        if (!next) throw new TypeError('fetch failed');
        return next();
      },
      idpRetryBudgetMs: 30_000,
      apiRetryBudgetMs: 10_000,
      sleep: async (ms) => {
        now += ms;
      },
      now: () => now,
    },
    { jobId: 'job-1', initiatedBy: 'user-7' },
  );
  return { api, calls, forced, elapsed: () => now };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('AutomationApi', () => {
  it('sends the service account token and the job attribution', async () => {
    const { api, calls } = harness({ tokens: () => 'sa-token', responses: [json(200, { ok: true })] });
    expect(await api.get('/devices')).toEqual({ ok: true });
    expect(calls).toEqual([{ authorization: 'Bearer sa-token', jobId: 'job-1', initiatedBy: 'user-7' }]);
  });

  it('replaces a rejected token once, then pauses for credentials', async () => {
    const renewed = harness({
      tokens: (force) => (force ? 'new' : 'old'),
      responses: [json(401, { error: 'invalid_token' }), json(200, { ok: 1 })],
    });
    expect(await renewed.api.get('/x')).toEqual({ ok: 1 });
    expect(renewed.calls.map((call) => call.authorization)).toEqual(['Bearer old', 'Bearer new']);
    expect(renewed.forced).toEqual([false, true]);

    const refused = harness({
      tokens: () => 't',
      responses: [json(401, { error: 'invalid_token' }), json(401, { error: 'invalid_token' })],
    });
    await expect(refused.api.get('/x')).rejects.toMatchObject({ name: 'JobPause', reason: 'credentials' });
  });

  it('pauses for credentials when the provider refuses the client or a scope is missing', async () => {
    const client = harness({
      tokens: () => {
        throw new ServiceAccountError('credentials', 'invalid_client');
      },
      responses: [],
    });
    const error = await client.api.get('/x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobPause);
    expect(error).toMatchObject({ reason: 'credentials' });

    const scope = harness({ tokens: () => 't', responses: [json(403, { error: 'insufficient_scope' })] });
    await expect(scope.api.post('/x', {})).rejects.toMatchObject({ reason: 'credentials' });
  });

  it('waits for an unavailable provider within the budget, then pauses with idp_unavailable', async () => {
    let failures = 2;
    const recovers = harness({
      tokens: () => {
        if (failures-- > 0) throw new ServiceAccountError('idp_unavailable', 'down', 4);
        return 't';
      },
      responses: [json(200, { ok: 1 })],
    });
    expect(await recovers.api.get('/x')).toEqual({ ok: 1 });
    expect(recovers.elapsed()).toBe(8000);

    const stays = harness({
      tokens: () => {
        throw new ServiceAccountError('idp_unavailable', 'down', 10);
      },
      responses: [],
    });
    await expect(stays.api.get('/x')).rejects.toMatchObject({ reason: 'idp_unavailable' });
    expect(stays.elapsed()).toBeLessThanOrEqual(30_000);
  });

  it('retries a failing device API within its budget, then fails the step', async () => {
    const recovers = harness({
      tokens: () => 't',
      responses: [json(503, {}), json(502, {}), json(200, { ok: 1 })],
    });
    expect(await recovers.api.get('/x')).toEqual({ ok: 1 });

    const down = harness({ tokens: () => 't', responses: [] });
    const error = await down.api.get('/x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeviceApiError);
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(down.elapsed()).toBeLessThanOrEqual(10_000);
  });

  it('passes other refusals to the handler with their code', async () => {
    const { api } = harness({
      tokens: () => 't',
      responses: [json(409, { error: 'device_offline', message: 'offline' })],
    });
    await expect(api.post('/devices/dev-0001/commands', { type: 'recalibrate' })).rejects.toMatchObject({
      status: 409,
      code: 'device_offline',
    });
  });
});
