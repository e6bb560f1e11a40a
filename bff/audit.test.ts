import { describe, expect, it, vi } from 'vitest';
import { auditLine, createAuditLog } from './audit.ts';

describe('audit log', () => {
  it('writes one JSON line per event with a timestamp', () => {
    const lines: string[] = [];
    createAuditLog((line) => lines.push(line)).record('sign_in', {
      sub: 'u1',
      roles: ['operator'],
      skipped: undefined,
    });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toEqual({
      time: expect.any(String),
      level: 'audit',
      event: 'sign_in',
      sub: 'u1',
      roles: ['operator'],
    });
  });

  it.each(['refreshToken', 'access_token', 'clientSecret', 'cookie', 'authorization', 'code_verifier'])(
    'refuses a field named %s so a token cannot reach a log line',
    (field) => {
      expect(() => auditLine('logout', { [field]: 'x' })).toThrow(field);
    },
  );
});

/** An audit log on a simulated clock, with the sweep timer in the test's hands. */
function simulatedAuditLog(options: { intervalMs?: number; maxKeys?: number } = {}) {
  const lines: Record<string, unknown>[] = [];
  let clock = Date.UTC(2030, 0, 1);
  const timer = { running: false, starts: 0, everyMs: 0, sweep: () => {} };
  const log = createAuditLog((line) => lines.push(JSON.parse(line)), {
    now: () => clock,
    intervalMs: options.intervalMs ?? 60_000,
    ...(options.maxKeys === undefined ? {} : { maxKeys: options.maxKeys }),
    startTimer: (sweep, everyMs) => {
      Object.assign(timer, { running: true, sweep, everyMs, starts: timer.starts + 1 });
      return () => {
        timer.running = false;
      };
    },
  });
  return {
    log,
    lines,
    timer,
    advance(ms: number) {
      clock += ms;
    },
    /** What the timer does when it fires. */
    tick() {
      if (timer.running) timer.sweep();
    },
  };
}

describe('audit log aggregation', () => {
  const ended = { bffSessionId: 'bs-1', sub: 'u1', reason: 'ended_elsewhere' };

  it('writes the first occurrence at once and one summary of the repeats when the interval ends', () => {
    const { log, lines, advance, tick } = simulatedAuditLog();
    for (let i = 0; i < 500; i++) log.record('session_ended', ended);
    expect(lines).toEqual([expect.objectContaining({ event: 'session_ended', ...ended })]);
    expect(lines[0]).not.toHaveProperty('repeated');

    advance(30_000);
    tick();
    expect(lines).toHaveLength(1); // the interval has not ended yet
    advance(30_000);
    tick();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toEqual({
      time: new Date(Date.UTC(2030, 0, 1, 0, 1)).toISOString(),
      level: 'audit',
      event: 'session_ended',
      ...ended,
      repeated: 499,
      intervalSeconds: 60,
      since: new Date(Date.UTC(2030, 0, 1)).toISOString(),
    });
  });

  it('writes nothing more for an event that did not repeat, and stops its timer when idle', () => {
    const { log, lines, advance, tick, timer } = simulatedAuditLog();
    log.record('sign_in', { bffSessionId: 'bs-1', sub: 'u1' });
    expect(timer).toMatchObject({ running: true, everyMs: 60_000 });
    advance(60_000);
    tick();
    expect(lines).toHaveLength(1);
    expect(timer.running).toBe(false);
  });

  it('keeps different sources apart: another session, subject or reason is written at once', () => {
    const { log, lines } = simulatedAuditLog();
    log.record('session_ended', ended);
    log.record('session_ended', { ...ended, bffSessionId: 'bs-2' });
    log.record('session_ended', { ...ended, sub: 'u2' });
    log.record('session_ended', { ...ended, reason: 'refresh_token_lifetime_ended' });
    log.record('logout', ended);
    log.record('session_ended', ended);
    expect(lines.map(({ event, bffSessionId, sub, reason }) => [event, bffSessionId, sub, reason])).toEqual([
      ['session_ended', 'bs-1', 'u1', 'ended_elsewhere'],
      ['session_ended', 'bs-2', 'u1', 'ended_elsewhere'],
      ['session_ended', 'bs-1', 'u2', 'ended_elsewhere'],
      ['session_ended', 'bs-1', 'u1', 'refresh_token_lifetime_ended'],
      ['logout', 'bs-1', 'u1', 'ended_elsewhere'],
    ]);
  });

  it('treats request ids, durations and times as volatile: they do not make a source new', () => {
    const { log, lines } = simulatedAuditLog();
    for (let i = 0; i < 10; i++) {
      log.record('sign_in_failed', {
        reason: 'sign_in_expired',
        requestId: `req-${i}`,
        durationMs: i,
        lifetimeSeconds: i,
        failedAt: i,
      });
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ requestId: 'req-0', durationMs: 0 });
    log.flush();
    // The summary names the source, not the volatile values of one repeat.
    expect(lines[1]).toEqual(
      expect.objectContaining({ event: 'sign_in_failed', reason: 'sign_in_expired', repeated: 9 }),
    );
    expect(lines[1]).not.toHaveProperty('requestId');
    expect(lines[1]).not.toHaveProperty('durationMs');
  });

  it('ignores field order and undefined fields when matching a source', () => {
    const { log, lines } = simulatedAuditLog();
    log.record('sign_in_failed', { reason: 'x', prompt: 'none' });
    log.record('sign_in_failed', { prompt: 'none', reason: 'x', extra: undefined });
    log.record('sign_in_failed', { reason: 'x', prompt: undefined });
    expect(lines).toHaveLength(2);
  });

  it('closes an ended interval on the next occurrence, before the timer fires', () => {
    const { log, lines, advance } = simulatedAuditLog();
    log.record('session_ended', ended);
    log.record('session_ended', ended);
    advance(60_000);
    log.record('session_ended', ended);
    expect(lines.map((line) => line.repeated)).toEqual([undefined, 1, undefined]);
  });

  it('flush() writes every pending summary at once (for shutdown) and starts afresh', () => {
    const { log, lines, timer } = simulatedAuditLog();
    for (let i = 0; i < 3; i++) log.record('session_ended', ended);
    for (let i = 0; i < 2; i++) log.record('sign_in_failed', { reason: 'sign_in_expired' });
    log.record('sign_in', { sub: 'u1' });
    log.flush();
    expect(lines.filter((line) => line.repeated !== undefined)).toEqual([
      expect.objectContaining({ event: 'session_ended', repeated: 2 }),
      expect.objectContaining({ event: 'sign_in_failed', repeated: 1 }),
    ]);
    expect(timer.running).toBe(false);
    log.flush();
    expect(lines).toHaveLength(5);
    log.record('session_ended', ended);
    expect(lines).toHaveLength(6);
  });

  it('still refuses a token-like field on a repeat that would only be counted', () => {
    const { log } = simulatedAuditLog();
    log.record('logout', { sub: 'u1' });
    expect(() => log.record('logout', { sub: 'u1', refreshToken: 'x' })).toThrow('refreshToken');
  });

  it('bounds its memory: past maxKeys sources, new ones of an event share one counted window', () => {
    const { log, lines, advance, tick } = simulatedAuditLog({ maxKeys: 3 });
    for (let i = 0; i < 100; i++) log.record('session_ended', { ...ended, bffSessionId: `bs-${i}` });
    // Three sources tracked one by one, then the first of the overflow, written whole.
    expect(lines.map((line) => line.bffSessionId)).toEqual(['bs-0', 'bs-1', 'bs-2', 'bs-3']);
    advance(60_000);
    tick();
    expect(lines.slice(4)).toEqual([
      expect.objectContaining({ event: 'session_ended', repeated: 96, overflow: true, intervalSeconds: 60 }),
    ]);
    expect(lines[4]).not.toHaveProperty('bffSessionId');
    // Nothing silently lost: each line stands for itself, a summary for its repeats.
    const total = lines.reduce(
      (sum, line) => sum + (typeof line.repeated === 'number' ? line.repeated : 1),
      0,
    );
    expect(total).toBe(100);
  });

  it('writes every line when intervalMs is 0', () => {
    const { log, lines, timer } = simulatedAuditLog({ intervalMs: 0 });
    for (let i = 0; i < 5; i++) log.record('session_ended', ended);
    expect(lines).toHaveLength(5);
    expect(timer.starts).toBe(0);
  });

  it('uses an unref’d timer by default, so a pending summary never keeps the process alive', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    try {
      const log = createAuditLog(() => {}, { intervalMs: 60_000 });
      log.record('session_ended', ended);
      expect(spy).toHaveBeenCalledTimes(1);
      const handle = spy.mock.results[0]?.value as NodeJS.Timeout;
      expect(handle.hasRef()).toBe(false);
      log.flush();
    } finally {
      spy.mockRestore();
    }
  });
});
