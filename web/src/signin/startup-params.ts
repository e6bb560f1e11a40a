// One-off parameters the app is opened with, read once before the first render and removed from the
// address bar so that a reload or a copied link does not show them again.

export interface StartupParams {
  /** `signin_error` from the BFF's callback. */
  signInError: string | undefined;
  /** The identity provider returned here after sign-out (the `state` we gave its logout endpoint). */
  signedOut: boolean;
}

/** The `state` value handed to the identity provider's logout endpoint (echoed back on return). */
export const SIGNED_OUT_STATE = 'signed-out';

export function readStartupParams(url: URL): { params: StartupParams; cleanHref: string | undefined } {
  const search = new URLSearchParams(url.search);
  const signInError = search.get('signin_error') ?? undefined;
  const signedOut = url.pathname === '/' && search.get('state') === SIGNED_OUT_STATE;
  search.delete('signin_error');
  if (signedOut) search.delete('state');
  const changed = signInError !== undefined || signedOut;
  const query = search.toString();
  return {
    params: { signInError, signedOut },
    cleanHref: changed ? `${url.pathname}${query ? `?${query}` : ''}${url.hash}` : undefined,
  };
}

/** Reads the parameters from the window's location and strips them from the address bar. */
export function takeStartupParams(): StartupParams {
  const { params, cleanHref } = readStartupParams(new URL(window.location.href));
  if (cleanHref !== undefined) window.history.replaceState(window.history.state, '', cleanHref);
  return params;
}
