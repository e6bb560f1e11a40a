// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Command, SessionInfo } from '../api/types.ts';
import { SignedInUserProvider, userFromSession } from '../app/signed-in-user.tsx';
import { fakeServer, json, operatorSession, sampleDevice, viewerSession } from '../test-support.ts';
import { CommandsPanel } from './CommandsPanel.tsx';

afterEach(() => {
  cleanup();
});

function renderPanel(session: SessionInfo) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SignedInUserProvider user={userFromSession(session)}>
        <CommandsPanel device={sampleDevice} />
      </SignedInUserProvider>
    </QueryClientProvider>,
  );
}

const command = (status: Command['status']): Command => ({
  id: 'cmd-1',
  deviceId: 'dev-0001',
  type: 'recalibrate',
  status,
  issuedBy: 'usr-operator-0001',
  issuedAt: '2025-06-01T12:00:00.000Z',
  ...(status === 'completed' ? { completedAt: '2025-06-01T12:00:10.000Z' } : {}),
});

describe('device commands', () => {
  it('are not offered to viewers at all', () => {
    const { calls } = fakeServer({});
    renderPanel(viewerSession);
    expect(screen.queryByRole('button', { name: /reboot/i })).toBeNull();
    expect(screen.queryByRole('button', { name: /recalibrate/i })).toBeNull();
    expect(screen.getByText(/needs the operator role/)).toBeTruthy();
    expect(calls).toHaveLength(0);
  });

  it('ask operators to confirm, then show the command until it completes', async () => {
    let polled = 0;
    const { calls } = fakeServer({
      'POST /api/devices/dev-0001/commands': () => json(202, command('pending')),
      'GET /api/devices/dev-0001/commands': () =>
        json(200, { items: [command(++polled > 1 ? 'completed' : 'pending')] }),
    });
    renderPanel(operatorSession);
    expect(screen.getByRole('button', { name: 'Reboot' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Recalibrate' }));

    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('Chiller 5');
    expect(calls).toHaveLength(0);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    });

    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toMatch(/^Command recalibrate: pending/),
    );
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toEqual({ type: 'recalibrate' });
    expect(post?.headers).toMatchObject({ 'X-CSRF': '1' });
    // Polled every 2 s until it is no longer pending.
    await waitFor(
      () => expect(screen.getByRole('status').textContent).toMatch(/^Command recalibrate: completed/),
      {
        timeout: 5_000,
      },
    );
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('sends nothing when the operator cancels', async () => {
    const { calls } = fakeServer({});
    renderPanel(operatorSession);
    fireEvent.click(screen.getByRole('button', { name: 'Reboot' }));
    await screen.findByRole('dialog');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls).toHaveLength(0);
    expect(screen.getByRole('status').textContent).toBe('');
  });

  it('says why a command was refused', async () => {
    fakeServer({
      'POST /api/devices/dev-0001/commands': () =>
        json(409, { error: 'device_offline', message: 'Device dev-0001 is offline' }),
    });
    renderPanel(operatorSession);
    fireEvent.click(screen.getByRole('button', { name: 'Reboot' }));
    await screen.findByRole('dialog');
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Command reboot: failed — the device is offline'),
    );
  });
});
