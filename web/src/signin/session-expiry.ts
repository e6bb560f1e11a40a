import type { SessionEndedStore } from './session-ended-store.ts';
import { signInUrl } from './sign-in-url.ts';
import type { SilentSignInGuard } from './silent-sign-in-guard.ts';

/**
 * What happens on `401 session_expired` from any call: one top-level navigation to a silent sign-in
 * (`prompt=none`, back to the current URL) through the identity provider's single sign-on session;
 * if one was tried in the last 5 minutes, or the user already had to be asked, the session-ended
 * banner instead. However many calls fail at once, at most one navigation starts.
 */
export function createSessionExpiryHandler(deps: {
  guard: SilentSignInGuard;
  sessionEnded: SessionEndedStore;
  currentReturnTo: () => string;
  assign: (url: string) => void;
}): () => void {
  let leaving = false;
  return () => {
    if (leaving || deps.sessionEnded.isEnded()) return;
    if (deps.guard.tryBegin()) {
      leaving = true;
      deps.assign(signInUrl(deps.currentReturnTo(), { silent: true }));
    } else {
      deps.sessionEnded.markEnded();
    }
  };
}
