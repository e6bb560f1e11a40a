import { describeSignInError } from '../signin/sign-in-errors.ts';
import { returnToOf, signInUrl } from '../signin/sign-in-url.ts';
import { SessionEndedBanner } from './SessionEndedBanner.tsx';

export interface SignedOutLandingProps {
  /** The session ended and silent sign-in needs the user: the banner replaces the usual sign-in. */
  sessionEnded?: boolean;
  /** The user just signed out. */
  signedOut?: boolean;
  /** A `signin_error` code from the BFF's callback. */
  signInError?: string | undefined;
}

/** What a visitor without a session sees, on whatever route they opened. */
export function SignedOutLanding({ sessionEnded, signedOut, signInError }: SignedOutLandingProps) {
  return (
    <main className="landing" id="main">
      <div className="landing-card">
        <h1>IoT Fleet Monitor</h1>
        {sessionEnded ? (
          <SessionEndedBanner />
        ) : (
          <>
            {signedOut && <p className="landing-signed-out">You have signed out.</p>}
            {signInError && (
              <p className="banner banner-warning" role="alert">
                {describeSignInError(signInError)}
              </p>
            )}
            <p>Watch device health, telemetry and alerts across your sites.</p>
            <button
              type="button"
              className="button-primary"
              onClick={() => window.location.assign(signInUrl(returnToOf(window.location)))}
            >
              Sign in
            </button>
          </>
        )}
      </div>
    </main>
  );
}
