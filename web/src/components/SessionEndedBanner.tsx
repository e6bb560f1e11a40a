import { returnToOf, signInUrl } from '../signin/sign-in-url.ts';

/** The session is over and a silent sign-in could not help: the user signs in again, back to this route. */
export function SessionEndedBanner() {
  return (
    <div className="banner banner-warning" role="alert" data-testid="banner-session-ended">
      <p>Your session ended — sign in again</p>
      <button type="button" onClick={() => window.location.assign(signInUrl(returnToOf(window.location)))}>
        Sign in
      </button>
    </div>
  );
}
