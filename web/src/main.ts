// A minimal page until the React SPA lands: shows the BFF session and signs in and out. It talks only
// to /bff/* on its own origin, always with the X-CSRF header, and never sees a token.

interface SessionInfo {
  user: { sub: string; name: string; roles: string[] };
  accessTokenExpiresAt: string | null;
  session: {
    startedAt: string | null;
    expiresAt: string | null;
    lastRefreshAt: string | null;
    refreshCount: number;
  };
}

const SIGN_IN_ERRORS: Record<string, string> = {
  access_denied: 'Sign-in was cancelled.',
  login_required: 'Your session ended — sign in again.',
  sign_in_expired: 'The sign-in took too long or was already used. Please try again.',
  idp_unavailable: 'The identity provider is unavailable right now. Try again in a moment.',
};

const content = document.getElementById('content') as HTMLElement;
const indicator = document.getElementById('session-indicator') as HTMLElement;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

function currentPath(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete('signin_error');
  return `${url.pathname}${url.search}${url.hash}`;
}

function showSignedOut(): void {
  const reason = new URL(window.location.href).searchParams.get('signin_error');
  content.replaceChildren();
  if (reason) content.append(element('p', SIGN_IN_ERRORS[reason] ?? `Sign-in failed (${reason}).`));
  content.lastElementChild?.classList.add('notice');
  content.append(element('p', 'Sign in to watch your fleet.'));
  const button = element('button', 'Sign in');
  button.addEventListener('click', () => {
    window.location.assign(`/bff/login?returnTo=${encodeURIComponent(currentPath())}`);
  });
  content.append(button);
  indicator.textContent = 'Signed out';
}

function showSignedIn(info: SessionInfo): void {
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'not known');
  const list = element('dl');
  for (const [label, value] of [
    ['Name', info.user.name],
    ['Role', info.user.roles.join(', ') || 'none'],
    ['Signed in', when(info.session.startedAt)],
    ['Session ends', when(info.session.expiresAt)],
    ['Access renewed', `${info.session.refreshCount} times`],
  ] as const) {
    list.append(element('dt', label), element('dd', value));
  }
  content.replaceChildren(element('h2', `Welcome, ${info.user.name}`), list);
  const signOut = element('button', 'Sign out');
  signOut.addEventListener('click', async () => {
    const response = await fetch('/bff/logout', { method: 'POST', headers: { 'X-CSRF': '1' } });
    const { logoutUrl } = (await response.json()) as { logoutUrl: string };
    window.location.assign(logoutUrl);
  });
  indicator.replaceChildren(element('span', `${info.user.name} (${info.user.roles.join(', ')}) `), signOut);
}

async function main(): Promise<void> {
  const response = await fetch('/bff/session', { headers: { 'X-CSRF': '1' } });
  if (response.ok) showSignedIn((await response.json()) as SessionInfo);
  else showSignedOut();
}

void main();
