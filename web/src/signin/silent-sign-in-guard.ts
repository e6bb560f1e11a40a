// Allows at most one silent sign-in attempt per 5 minutes in a tab, so an identity provider that keeps
// sending the user back can never send the tab round in circles. This timestamp, in this tab's
// session storage, is the only thing the app keeps in browser storage.

const STORAGE_KEY = 'iot-fleet.silent-sign-in-at';
export const SILENT_SIGN_IN_INTERVAL_MS = 5 * 60_000;

/** Where the last attempt's time is kept; `undefined` when the browser offers no storage. */
export interface TimestampStore {
  read(): string | null;
  write(value: string): void;
}

/** This tab's storage, or undefined where it is blocked (then no silent attempt is made at all). */
export function tabTimestampStore(): TimestampStore | undefined {
  try {
    const storage = window.sessionStorage;
    storage.getItem(STORAGE_KEY);
    return {
      read: () => storage.getItem(STORAGE_KEY),
      write: (value) => storage.setItem(STORAGE_KEY, value),
    };
  } catch {
    return undefined;
  }
}

export interface SilentSignInGuard {
  /** Records an attempt and returns true if none was made in the last 5 minutes; else false. */
  tryBegin(): boolean;
}

/** `store`: usually {@link tabTimestampStore}; undefined means no storage, so no attempts. */
export function createSilentSignInGuard(
  store: TimestampStore | undefined,
  now: () => number = Date.now,
): SilentSignInGuard {
  return {
    tryBegin() {
      // Without storage the guard could not hold across the page reload a sign-in causes: never attempt.
      if (!store) return false;
      const at = now();
      let last = Number.NaN;
      try {
        last = Number(store.read() ?? Number.NaN);
      } catch {
        return false;
      }
      // Compared both ways: a clock set back a little must not open the window early.
      if (Number.isFinite(last) && Math.abs(at - last) < SILENT_SIGN_IN_INTERVAL_MS) return false;
      try {
        store.write(String(at));
      } catch {
        return false;
      }
      return true;
    },
  };
}
