import { describe, expect, it, vi } from 'vitest';
import { createSessionEndedStore } from './session-ended-store.ts';
import { createSessionExpiryHandler } from './session-expiry.ts';
import type { SilentSignInGuard } from './silent-sign-in-guard.ts';

function setup(allowed: boolean, initiallyEnded = false) {
  const guard: SilentSignInGuard = { tryBegin: vi.fn(() => allowed) };
  const sessionEnded = createSessionEndedStore(initiallyEnded);
  const assign = vi.fn();
  const handler = createSessionExpiryHandler({
    guard,
    sessionEnded,
    currentReturnTo: () => '/devices/dev-0007?range=6h',
    assign,
  });
  return { guard, sessionEnded, assign, handler };
}

describe('on 401 session_expired', () => {
  it('navigates once to a silent sign-in back to the current URL, however many calls fail', () => {
    const { assign, handler, sessionEnded, guard } = setup(true);
    handler();
    handler();
    handler();
    expect(assign).toHaveBeenCalledTimes(1);
    expect(guard.tryBegin).toHaveBeenCalledTimes(1);
    const url = new URL(assign.mock.calls[0]?.[0] as string, 'http://app.test');
    expect(url.pathname).toBe('/bff/login');
    expect(url.searchParams.get('prompt')).toBe('none');
    expect(url.searchParams.get('returnTo')).toBe('/devices/dev-0007?range=6h');
    expect(sessionEnded.isEnded()).toBe(false);
  });

  it('shows the session-ended banner instead when an attempt was made in the last 5 minutes', () => {
    const { assign, handler, sessionEnded } = setup(false);
    const onChange = vi.fn();
    sessionEnded.subscribe(onChange);
    handler();
    expect(assign).not.toHaveBeenCalled();
    expect(sessionEnded.isEnded()).toBe(true);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('does nothing more once the user has been asked to sign in (login_required came back)', () => {
    const { assign, handler, guard } = setup(true, true);
    handler();
    expect(guard.tryBegin).not.toHaveBeenCalled();
    expect(assign).not.toHaveBeenCalled();
  });
});
