// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSilentSignInGuard,
  SILENT_SIGN_IN_INTERVAL_MS,
  type TimestampStore,
  tabTimestampStore,
} from './silent-sign-in-guard.ts';

const memoryStore = (): TimestampStore & { value: string | null } => {
  const store = {
    value: null as string | null,
    read: () => store.value,
    write: (v: string) => {
      store.value = v;
    },
  };
  return store;
};

describe('silent sign-in guard', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.parse('2025-06-01T12:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    window.sessionStorage.clear();
  });

  it('allows one attempt, then none for 5 minutes, then one again', () => {
    const guard = createSilentSignInGuard(memoryStore());
    expect(guard.tryBegin()).toBe(true);
    expect(guard.tryBegin()).toBe(false);
    vi.advanceTimersByTime(SILENT_SIGN_IN_INTERVAL_MS - 1);
    expect(guard.tryBegin()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(guard.tryBegin()).toBe(true);
    expect(guard.tryBegin()).toBe(false);
  });

  it('holds across page loads: a new guard on the same storage remembers the attempt', () => {
    const store = memoryStore();
    expect(createSilentSignInGuard(store).tryBegin()).toBe(true);
    vi.advanceTimersByTime(60_000);
    // The silent sign-in reloaded the page and the session ended again at once: no second attempt.
    expect(createSilentSignInGuard(store).tryBegin()).toBe(false);
  });

  it('does not open the window early when the clock is set back a little', () => {
    const store = memoryStore();
    expect(createSilentSignInGuard(store).tryBegin()).toBe(true);
    vi.setSystemTime(Date.now() - 60_000);
    expect(createSilentSignInGuard(store).tryBegin()).toBe(false);
  });

  it('never attempts without storage (it could not stop a loop across reloads)', () => {
    expect(createSilentSignInGuard(undefined).tryBegin()).toBe(false);
    const broken: TimestampStore = {
      read: () => {
        throw new Error('SecurityError');
      },
      write: () => {},
    };
    expect(createSilentSignInGuard(broken).tryBegin()).toBe(false);
  });

  it("keeps a single timestamp in this tab's storage and nothing else", () => {
    const store = tabTimestampStore();
    expect(store).toBeDefined();
    const guard = createSilentSignInGuard(store);
    expect(guard.tryBegin()).toBe(true);
    expect(window.sessionStorage.length).toBe(1);
    const key = window.sessionStorage.key(0) ?? '';
    expect(window.sessionStorage.getItem(key)).toBe(String(Date.now()));
    expect(window.localStorage.length).toBe(0);
    expect(createSilentSignInGuard(tabTimestampStore()).tryBegin()).toBe(false);
  });
});
