import { afterEach, describe, expect, it } from 'vitest';
import {
  CookieJarClient,
  csrfHeaders,
  signInThroughBff,
  startTestStack,
  type TestStack,
} from '../test-support.ts';
import { BffMetrics } from './bff-metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.dispose();
  stack = undefined;
});

/** The value of one sample line (`name{labels} value`) in Prometheus text, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('BFF metrics', () => {
  it('count sign-ins, proxy answers, store operations, sessions ended and the circuit', async () => {
    const metrics = new BffMetrics();
    stack = await startTestStack({ deps: { metrics } });
    const browser = new CookieJarClient();
    await signInThroughBff(stack, browser, 'operator');
    expect(
      (await browser.fetch(`${stack.appUrl}/api/devices?limit=1`, { headers: csrfHeaders })).status,
    ).toBe(200);
    expect((await browser.fetch(`${stack.appUrl}/api/devices/nope`, { headers: csrfHeaders })).status).toBe(
      400,
    );
    await browser.fetch(`${stack.appUrl}/bff/logout`, { method: 'POST', headers: csrfHeaders });

    const text = await metrics.registry.metrics();
    expect(sample(text, 'bff_sign_in_total{outcome="success"}')).toBe(1);
    expect(sample(text, 'bff_proxy_request_duration_seconds_count{status_class="2xx"}')).toBe(1);
    expect(sample(text, 'bff_proxy_request_duration_seconds_count{status_class="4xx"}')).toBe(1);
    expect(sample(text, 'bff_sessions_ended_total{reason="logout"}')).toBe(1);
    expect(sample(text, 'bff_idp_circuit_state{state="closed"}')).toBe(1);
    expect(sample(text, 'bff_idp_circuit_state{state="open"}')).toBe(0);
    expect(
      sample(text, 'bff_store_operation_duration_seconds_count{operation="getMany"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/eyJ/); // no token (JWTs start with eyJ) in any label
  });

  it('are served on their own port at /metrics only', async () => {
    const metrics = new BffMetrics();
    metrics.refreshes.inc({ outcome: 'success' });
    const server = await startMetricsServer(metrics.registry, { host: '127.0.0.1', port: 0 });
    try {
      const scraped = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(sample(await scraped.text(), 'bff_refresh_total{outcome="success"}')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
