// URLs that start a sign-in at the BFF. `returnTo` is where the user lands afterwards: the current
// path and query (the BFF accepts only same-origin relative paths).

export function signInUrl(returnTo: string, options: { silent?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (options.silent) params.set('prompt', 'none');
  params.set('returnTo', returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/');
  return `/bff/login?${params.toString()}`;
}

/** Path, query and fragment of a location, without one-off parameters such as `signin_error`. */
export function returnToOf(location: { pathname: string; search: string; hash: string }): string {
  const params = new URLSearchParams(location.search);
  params.delete('signin_error');
  const query = params.toString();
  // After signing out, signing in again should lead to the fleet, not back to "You have signed out".
  const path = location.pathname === '/signed-out' ? '/' : location.pathname;
  return `${path}${query ? `?${query}` : ''}${location.hash}`;
}
