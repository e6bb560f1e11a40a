// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SilentSignInGuard } from '../signin/silent-sign-in-guard.ts';
import { readStartupParams } from '../signin/startup-params.ts';
import { fakeServer, json, operatorSession } from '../test-support.ts';
import { App } from './App.tsx';
import { createAppServices } from './services.ts';

// The whole app on a fake BFF: what the user sees when the session ends, the sign-in service is down
// or a sign-in comes back with an error.

const assign = vi.fn();

function openApp(href: string, guardAllows = true) {
  const { params, cleanHref } = readStartupParams(new URL(href, window.location.origin));
  window.history.replaceState(null, '', cleanHref ?? href);
  const guard: SilentSignInGuard = { tryBegin: vi.fn(() => guardAllows) };
  const services = createAppServices({
    startup: params,
    guard,
    currentReturnTo: () => `${window.location.pathname}${window.location.search}`,
    assign,
  });
  render(<App queryClient={services.queryClient} sessionEnded={services.sessionEnded} startup={params} />);
  return { guard, ...services };
}

const unauthenticated = () => json(401, { error: 'unauthenticated', message: 'Not signed in' });
const expired = () => json(401, { error: 'session_expired', message: 'The session has ended' });

beforeEach(() => {
  assign.mockReset();
  vi.spyOn(window.location, 'assign').mockImplementation(assign);
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('signed out', () => {
  it('shows the landing, and Sign in goes to /bff/login returning to the current route', async () => {
    fakeServer({ 'GET /bff/session': unauthenticated });
    openApp('/alerts');
    await screen.findByRole('heading', { name: 'IoT Fleet Monitor' });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(assign).toHaveBeenCalledWith('/bff/login?returnTo=%2Falerts');
  });

  it('says a signin_error in words, and strips it from the address bar', async () => {
    fakeServer({ 'GET /bff/session': unauthenticated });
    openApp('/?signin_error=access_denied');
    expect((await screen.findByRole('alert')).textContent).toMatch(/cancelled or refused/);
    expect(window.location.search).toBe('');
    expect(screen.getAllByRole('button', { name: 'Sign in' })).toHaveLength(1);
  });

  it('shows the session-ended banner on the same route when a silent sign-in needs the user', async () => {
    fakeServer({ 'GET /bff/session': unauthenticated });
    openApp('/devices/dev-0007?range=6h&signin_error=login_required');
    const banner = await screen.findByTestId('banner-session-ended');
    expect(banner.textContent).toContain('Your session ended — sign in again');
    expect(window.location.pathname + window.location.search).toBe('/devices/dev-0007?range=6h');
    // One way in, from the banner, back to the route.
    expect(screen.getAllByRole('button', { name: 'Sign in' })).toHaveLength(1);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(assign).toHaveBeenCalledWith('/bff/login?returnTo=%2Fdevices%2Fdev-0007%3Frange%3D6h');
  });

  it('says "You have signed out." when the identity provider returns after sign-out', async () => {
    fakeServer({ 'GET /bff/session': unauthenticated });
    openApp('/?state=signed-out');
    expect(await screen.findByText('You have signed out.')).toBeTruthy();
    expect(window.location.href).toBe(`${window.location.origin}/`);
  });
});

describe('signed in', () => {
  it('shows who is signed in, with the role, in the banner landmark', async () => {
    fakeServer({
      'GET /bff/session': () => json(200, operatorSession),
      'GET /api/devices': () => json(200, { items: [], total: 0, limit: 1000, offset: 0, counts: {} }),
    });
    openApp('/');
    const header = await screen.findByRole('banner');
    await waitFor(() => expect(header.textContent).toContain('Signed in as Olivia Operator'));
    expect(header.textContent).toContain('operator');
    expect(header.textContent).toContain('Session ends');
    expect(screen.getByRole('heading', { name: 'Fleet' })).toBeTruthy();
  });

  it('on 401 session_expired navigates once to a silent sign-in back to the route', async () => {
    fakeServer({ 'GET /bff/session': () => json(200, operatorSession), 'GET /api/alerts': expired });
    const { guard } = openApp('/alerts');
    await waitFor(() => expect(assign).toHaveBeenCalledTimes(1));
    expect(assign).toHaveBeenCalledWith('/bff/login?prompt=none&returnTo=%2Falerts');
    expect(guard.tryBegin).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('banner-session-ended')).toBeNull();
  });

  it('shows the session-ended banner instead when a silent sign-in was tried in the last 5 minutes', async () => {
    fakeServer({ 'GET /bff/session': () => json(200, operatorSession), 'GET /api/alerts': expired });
    openApp('/alerts', false);
    expect((await screen.findByTestId('banner-session-ended')).textContent).toContain('Your session ended');
    expect(assign).not.toHaveBeenCalled();
    expect(window.location.pathname).toBe('/alerts');
  });

  it('shows the signed-out landing on 401 unauthenticated from the API', async () => {
    fakeServer({ 'GET /bff/session': () => json(200, operatorSession), 'GET /api/alerts': unauthenticated });
    openApp('/alerts');
    await screen.findByRole('button', { name: 'Sign in' });
    expect(screen.queryByRole('banner')).toBeNull();
    expect(assign).not.toHaveBeenCalled();
  });

  it('keeps the page and shows a quiet banner while the sign-in service is down', async () => {
    let down = true;
    fakeServer({
      'GET /bff/session': () => json(200, operatorSession),
      'GET /api/alerts': () =>
        down
          ? json(503, { error: 'idp_unavailable', message: 'later' }, { 'Retry-After': '1' })
          : json(200, { items: [], total: 0, limit: 200, offset: 0 }),
    });
    openApp('/alerts');
    const banner = await screen.findByTestId('banner-idp');
    expect(banner.textContent).toBe('Sign-in service unavailable — showing the last data, retrying…');
    expect(screen.getByRole('banner').textContent).toContain('Signed in as');
    await act(async () => {
      down = false;
    });
    // Retried after Retry-After (1 s), and the banner goes away by itself.
    await waitFor(() => expect(screen.queryByTestId('banner-idp')).toBeNull(), { timeout: 3_000 });
    expect(await screen.findByText('No active alerts.')).toBeTruthy();
  });

  it('says which device data is stale, and since when, on 502 from /api', async () => {
    let failing = false;
    fakeServer({
      'GET /bff/session': () => json(200, operatorSession),
      'GET /api/alerts': () =>
        failing
          ? json(502, { error: 'upstream_unavailable', message: 'The device API did not answer' })
          : json(200, { items: [], total: 0, limit: 200, offset: 0 }),
    });
    const { queryClient } = openApp('/alerts');
    await screen.findByText('No active alerts.');
    failing = true;
    await act(async () => {
      void queryClient.refetchQueries({ queryKey: ['api'] });
    });
    const banner = await screen.findByTestId('banner-stale');
    expect(banner.textContent).toMatch(
      /^Device data may be stale since .+ \(alerts could not be updated\)\.$/,
    );
    expect(screen.getByText('No active alerts.')).toBeTruthy();
  });
});
