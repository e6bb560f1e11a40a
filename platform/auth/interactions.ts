import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { AccountDirectory } from './accounts.ts';
import { errorPage, loginPage, PAGE_CSP } from './pages.ts';

const LOGIN_FAILED = 'Incorrect username or password.';

/**
 * The platform's own login screen (oidc-provider's development screens accept any password, so they
 * stay off). It must be served on the issuer's origin: oidc-provider ties the interaction to its
 * `_interaction` cookie.
 */
export function createInteractionRoutes(provider: Provider, accounts: AccountDirectory) {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use('*', async (c, next) => {
    await next();
    c.header('content-security-policy', PAGE_CSP);
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
  });

  app.onError((error, c) => {
    if (error instanceof errors.SessionNotFound || error instanceof errors.InvalidRequest) {
      return c.html(
        errorPage(
          'sign_in_expired',
          'This sign-in request expired or was already used. Return to the app and sign in again.',
        ),
        400,
      );
    }
    console.error(JSON.stringify({ level: 'error', event: 'interaction_failed', message: error.message }));
    return c.html(errorPage('server_error', 'The sign-in page failed. Try again.'), 500);
  });

  const details = (c: { env: HttpBindings }) => provider.interactionDetails(c.env.incoming, c.env.outgoing);

  app.get('/interaction/:uid', async (c) => {
    const interaction = await details(c);
    if (interaction.uid !== c.req.param('uid')) throw new errors.SessionNotFound('interaction mismatch');
    if (interaction.prompt.name !== 'login') {
      // First-party clients never need consent (see loadExistingGrant); anything else is unsupported.
      return c.html(
        errorPage('interaction_unsupported', `Unsupported prompt: ${interaction.prompt.name}`),
        400,
      );
    }
    const client = await provider.Client.find(String(interaction.params.client_id));
    return c.html(
      loginPage({
        action: `/interaction/${interaction.uid}/login`,
        clientName: client?.clientName ?? String(interaction.params.client_id),
        username: typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : '',
      }),
    );
  });

  app.post('/interaction/:uid/login', async (c) => {
    const interaction = await details(c);
    if (interaction.uid !== c.req.param('uid') || interaction.prompt.name !== 'login') {
      throw new errors.SessionNotFound('interaction mismatch');
    }
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username.trim().slice(0, 200) : '';
    const password = typeof form.password === 'string' ? form.password.slice(0, 1000) : '';
    const account = username && password ? await accounts.authenticate(username, password) : undefined;
    if (!account) {
      const client = await provider.Client.find(String(interaction.params.client_id));
      return c.html(
        loginPage({
          action: `/interaction/${interaction.uid}/login`,
          clientName: client?.clientName ?? String(interaction.params.client_id),
          username,
          error: LOGIN_FAILED,
        }),
        401,
      );
    }
    const redirectTo = await provider.interactionResult(
      c.env.incoming,
      c.env.outgoing,
      { login: { accountId: account.sub } },
      { mergeWithLastSubmission: false },
    );
    return c.redirect(redirectTo, 303);
  });

  return app;
}
