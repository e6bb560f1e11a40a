import { describe, expect, it } from 'vitest';
import { IdpCircuit } from './idp-circuit.ts';

function circuitAt(start = 1_000_000) {
  const clock = { now: start };
  const circuit = new IdpCircuit({ now: () => clock.now, random: () => 1, baseMs: 1000, maxMs: 8000 });
  return { clock, circuit };
}

describe('the identity provider circuit', () => {
  it('lets calls through while closed', () => {
    const { circuit } = circuitAt();
    expect(circuit.permit()).toEqual({ kind: 'call' });
    expect(circuit.state).toBe('closed');
  });

  it('refuses during the pause, then allows exactly one probe', () => {
    const { clock, circuit } = circuitAt();
    circuit.failure('transient');
    expect(circuit.state).toBe('open');
    expect(circuit.permit()).toEqual({ kind: 'refused', retryAfterSeconds: 1 });
    clock.now += 1000;
    expect(circuit.state).toBe('half_open');
    expect(circuit.permit()).toEqual({ kind: 'probe' });
    expect(circuit.permit().kind).toBe('refused'); // one probe at a time
    circuit.success();
    expect(circuit.permit()).toEqual({ kind: 'call' });
  });

  it('doubles the pause with each failed probe, up to the maximum, and honours the provider Retry-After', () => {
    const { clock, circuit } = circuitAt();
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      circuit.failure('transient');
      pauses.push(circuit.retryAfterSeconds());
      clock.now += circuit.retryAfterSeconds() * 1000;
      expect(circuit.permit().kind).toBe('probe');
    }
    expect(pauses).toEqual([1, 2, 4, 8, 8, 8]);
    circuit.failure('transient', 20);
    expect(circuit.retryAfterSeconds()).toBe(20);
  });

  it('lets the next caller probe when a probe ended without learning anything', () => {
    const { clock, circuit } = circuitAt();
    circuit.failure('transient');
    clock.now += 1000;
    expect(circuit.permit().kind).toBe('probe');
    circuit.releaseProbe();
    expect(circuit.state).toBe('half_open');
    expect(circuit.permit().kind).toBe('probe');
  });

  it('pauses long after the provider refused our client', () => {
    const { circuit } = circuitAt();
    circuit.failure('client_rejected');
    expect(circuit.retryAfterSeconds()).toBe(30);
  });

  it('jitters the pause so instances do not probe in step', () => {
    const clock = { now: 0 };
    const low = new IdpCircuit({ now: () => clock.now, random: () => 0, baseMs: 4000 });
    low.failure('transient');
    expect(low.retryAfterSeconds()).toBe(2); // half the backoff at the low end
  });
});
