import type { JobNotification } from '../api/job-types.ts';

// The notifications shown on every page about the user's own jobs. Ones that need the user (paused
// for credentials, failed) stay until dismissed; ones that resolve themselves (completed, paused
// while the sign-in service is down) go after a while, but not while the pointer or the focus is
// in the region (people get to finish reading).

export const AUTO_DISMISS_MS = 10_000;
const MAX_SHOWN = 5;

export interface ShownNotification extends JobNotification {
  /** Stays until dismissed. */
  sticky: boolean;
}

export interface NotificationStore {
  add(notification: JobNotification): void;
  dismiss(id: string): void;
  /** Holds the auto-dismissal while the user is reading or using the region. */
  hold(held: boolean): void;
  subscribe(onChange: () => void): () => void;
  getSnapshot(): readonly ShownNotification[];
  /** Stops the timers (the app is going away). */
  dispose(): void;
}

export const isSticky = (notification: JobNotification): boolean =>
  notification.kind === 'failed' ||
  (notification.kind === 'paused' && notification.pausedReason !== 'idp_unavailable');

export function createNotificationStore(options: { autoDismissMs?: number } = {}): NotificationStore {
  const autoDismissMs = options.autoDismissMs ?? AUTO_DISMISS_MS;
  let shown: readonly ShownNotification[] = [];
  // Every id ever shown: a stream that replays after reconnecting must not bring one back.
  const seen = new Set<string>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const listeners = new Set<() => void>();
  let held = false;

  const emit = () => {
    for (const listener of listeners) listener();
  };
  const disarm = (id: string) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
  };
  const arm = (item: ShownNotification) => {
    if (item.sticky || held || timers.has(item.id)) return;
    timers.set(
      item.id,
      setTimeout(() => store.dismiss(item.id), autoDismissMs),
    );
  };

  const store: NotificationStore = {
    add(notification) {
      if (seen.has(notification.id)) return;
      seen.add(notification.id);
      const item = { ...notification, sticky: isSticky(notification) };
      const next = [item, ...shown];
      for (const dropped of next.slice(MAX_SHOWN)) disarm(dropped.id);
      shown = next.slice(0, MAX_SHOWN);
      arm(item);
      emit();
    },
    dismiss(id) {
      disarm(id);
      if (!shown.some((item) => item.id === id)) return;
      shown = shown.filter((item) => item.id !== id);
      emit();
    },
    hold(on) {
      if (held === on) return;
      held = on;
      if (on) for (const id of [...timers.keys()]) disarm(id);
      else for (const item of shown) arm(item);
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    getSnapshot: () => shown,
    dispose() {
      for (const id of [...timers.keys()]) disarm(id);
    },
  };
  return store;
}
