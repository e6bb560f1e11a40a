import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryCoordinationStore } from './coordination-store.ts';
import { EndedSessions } from './ended-sessions.ts';

const T0 = Date.parse('2026-03-02T06:00:00Z');
afterEach(() => vi.useRealTimers());

const session = (overrides = {}) => ({
  bffSessionId: 'b1',
  sub: 'u1',
  sid: 's1',
  startedAt: T0,
  ...overrides,
});

describe('ended sessions', () => {
  it('ends one BFF session, an IdP session (sid) or every earlier session of a user (sub)', async () => {
    vi.setSystemTime(T0 + 1000);
    const ended = new EndedSessions(new MemoryCoordinationStore(), 3600);
    expect(await ended.isEnded(session())).toBe(false);
    await ended.endSession('b1');
    expect(await ended.isEnded(session())).toBe(true);
    expect(await ended.isEnded(session({ bffSessionId: 'b2', sid: 's2' }))).toBe(false);
    await ended.endIdpSession('s2');
    expect(await ended.isEnded(session({ bffSessionId: 'b2', sid: 's2' }))).toBe(true);
    await ended.endUser('u9');
    expect(await ended.isEnded(session({ bffSessionId: 'b3', sid: 's3', sub: 'u9' }))).toBe(true);
    // A session of that user started after the back-channel logout is a new sign-in: it stands.
    expect(
      await ended.isEnded(session({ bffSessionId: 'b4', sid: 's4', sub: 'u9', startedAt: T0 + 5000 })),
    ).toBe(false);
  });

  it('forgets an ended session once its tokens could no longer be used', async () => {
    vi.setSystemTime(T0);
    const ended = new EndedSessions(new MemoryCoordinationStore(), 3600);
    await ended.endSession('b1');
    vi.setSystemTime(T0 + 3_599_000);
    expect(await ended.isEnded(session())).toBe(true);
    vi.setSystemTime(T0 + 3_600_000);
    expect(await ended.isEnded(session())).toBe(false);
  });
});

describe('memory coordination store', () => {
  it('sets if absent atomically and respects expiry', async () => {
    vi.setSystemTime(T0);
    const store = new MemoryCoordinationStore();
    expect(await store.setIfAbsent('k', '1', 1000)).toBe(true);
    expect(await store.setIfAbsent('k', '2', 1000)).toBe(false);
    expect(await store.get('k')).toBe('1');
    vi.setSystemTime(T0 + 1000);
    expect(await store.get('k')).toBeUndefined();
    expect(await store.setIfAbsent('k', '3', 1000)).toBe(true);
  });

  it('stays bounded', async () => {
    const store = new MemoryCoordinationStore({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) await store.set(`k${i}`, 'v', 60_000 + i);
    expect(store.size).toBeLessThanOrEqual(101);
    expect(await store.get('k999')).toBe('v'); // the longest-lived survive
  });
});
