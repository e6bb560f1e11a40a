// The `signin_error` codes the BFF's callback sends back (README, BFF section), in words. The callback
// may also pass through an OpenID Provider's own error code (`interaction_required`, …).

const WORDS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled or refused by the sign-in service.',
  login_required: 'Your session ended — sign in again.',
  sign_in_expired: 'The sign-in took too long or was already used. Please sign in again.',
  idp_unavailable: 'The sign-in service is unavailable right now. Please try again in a moment.',
  invalid_response: 'The sign-in service sent an answer that could not be verified. Please try again.',
  sign_in_failed: 'Sign-in failed. Please try again.',
};

// Answers to a silent (prompt=none) attempt meaning "the user has to sign in themselves" (OIDC Core 3.1.2.6).
const NEEDS_USER = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

const CODE_SHAPE = /^[a-z_]{1,40}$/;

/** What to tell the user about a `signin_error`. Never echoes input that does not look like a code. */
export function describeSignInError(code: string): string {
  const known = WORDS[code];
  if (known) return known;
  if (NEEDS_USER.has(code)) return WORDS.login_required as string;
  return CODE_SHAPE.test(code)
    ? `Sign-in did not complete (${code}). Please try again.`
    : 'Sign-in did not complete. Please try again.';
}

/** True when a silent sign-in came back needing the user: show the session-ended banner. */
export const signInNeedsUser = (code: string): boolean => NEEDS_USER.has(code);
