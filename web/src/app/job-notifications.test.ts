import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobNotification } from '../api/job-types.ts';
import { AUTO_DISMISS_MS, createNotificationStore } from './job-notifications.ts';

const notification = (id: string, kind: JobNotification['kind'], pausedReason: string | null = null) => ({
  id,
  jobId: 'job-0001',
  jobType: 'firmware-rollout' as const,
  kind,
  pausedReason,
  message: `${kind}`,
  at: '2025-06-01T11:06:00.000Z',
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the notification store', () => {
  it('lets completed ones go after ~10 s, keeps a pause for credentials and a failure until dismissed', () => {
    vi.useFakeTimers();
    const store = createNotificationStore();
    store.add(notification('n-1', 'paused', 'credentials'));
    store.add(notification('n-2', 'completed'));
    store.add(notification('n-3', 'failed'));
    store.add(notification('n-4', 'paused', 'idp_unavailable'));
    expect(store.getSnapshot().map((n) => n.id)).toEqual(['n-4', 'n-3', 'n-2', 'n-1']);
    vi.advanceTimersByTime(AUTO_DISMISS_MS);
    expect(store.getSnapshot().map((n) => n.id)).toEqual(['n-3', 'n-1']);
    store.dismiss('n-1');
    expect(store.getSnapshot().map((n) => n.id)).toEqual(['n-3']);
  });

  it('holds the auto-dismissal while the user is in the region, then gives the full time again', () => {
    vi.useFakeTimers();
    const store = createNotificationStore();
    store.add(notification('n-1', 'completed'));
    vi.advanceTimersByTime(AUTO_DISMISS_MS - 1_000);
    store.hold(true);
    vi.advanceTimersByTime(60_000);
    expect(store.getSnapshot()).toHaveLength(1);
    store.hold(false);
    vi.advanceTimersByTime(AUTO_DISMISS_MS - 1);
    expect(store.getSnapshot()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(store.getSnapshot()).toHaveLength(0);
  });

  it('shows a notification once, even when a reconnected stream sends it again after dismissal', () => {
    const store = createNotificationStore();
    const onChange = vi.fn();
    store.subscribe(onChange);
    store.add(notification('n-1', 'failed'));
    store.add(notification('n-1', 'failed'));
    store.dismiss('n-1');
    store.add(notification('n-1', 'failed'));
    expect(store.getSnapshot()).toHaveLength(0);
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});
