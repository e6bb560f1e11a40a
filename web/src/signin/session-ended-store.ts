import { useSyncExternalStore } from 'react';

// "The session ended and the user has to sign in again": set when a silent sign-in came back needing
// the user, or when one was already tried in the last 5 minutes. Lives for the page's lifetime.

export interface SessionEndedStore {
  isEnded(): boolean;
  markEnded(): void;
  subscribe(onChange: () => void): () => void;
}

export function createSessionEndedStore(initiallyEnded = false): SessionEndedStore {
  let ended = initiallyEnded;
  const listeners = new Set<() => void>();
  return {
    isEnded: () => ended,
    markEnded() {
      if (ended) return;
      ended = true;
      for (const listener of listeners) listener();
    },
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
  };
}

export function useSessionEnded(store: SessionEndedStore): boolean {
  return useSyncExternalStore(store.subscribe, store.isEnded, store.isEnded);
}
