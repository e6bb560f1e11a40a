/**
 * The authorization server's own HTML pages. No inline script anywhere and styles from one
 * same-origin stylesheet, so the pages run under a strict CSP.
 */

export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' http: https:; " +
  "frame-ancestors 'none'; base-uri 'none'";

export const STYLESHEET_PATH = '/assets/platform.css';

export const STYLESHEET = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#eef1f5;color:#1c2430;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .25rem}
p.lead{margin:0 0 1.5rem;color:#4a5568}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #a0aec0;border-radius:4px;font-size:1rem}
input:focus,button:focus{outline:3px solid #3b82f6;outline-offset:1px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font-size:1rem;font-weight:600;border:0;border-radius:4px;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#e2e8f0;color:#1c2430;margin-top:.75rem}
.error{background:#fde8e8;border:1px solid #c53030;color:#822727;padding:.75rem;border-radius:4px;margin-bottom:1rem}
.hint{font-size:.85rem;color:#4a5568;margin-top:1.5rem}
`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · IoT Platform</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function loginPage(input: {
  action: string;
  clientName: string;
  username?: string;
  error?: string;
}): string {
  const error = input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p class="lead">to continue to ${escapeHtml(input.clientName)}</p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="on">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required autofocus value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">Demo accounts: operator / operator, viewer / viewer.</p>`,
  );
}

/** RP-initiated logout confirmation; `form` is oidc-provider's hidden form (carries its xsrf value). */
export function logoutConfirmPage(form: string, host: string): string {
  return layout(
    'Sign out',
    `<h1>Sign out</h1>
<p class="lead">Do you want to sign out of the IoT Platform at ${escapeHtml(host)}?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export function loggedOutPage(clientName: string | undefined): string {
  const from = clientName ? ` from ${escapeHtml(clientName)}` : '';
  return layout('Signed out', `<h1>Signed out</h1><p class="lead">You have signed out${from}.</p>`);
}

export function errorPage(error: string, description: string | undefined): string {
  return layout(
    'Something went wrong',
    `<h1>Something went wrong</h1>
<p class="lead">The sign-in request could not be completed.</p>
<div class="error" role="alert"><strong>${escapeHtml(error)}</strong>${
      description ? `: ${escapeHtml(description)}` : ''
    }</div>`,
  );
}
