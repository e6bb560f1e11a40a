import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { PlatformConfig } from '../config.ts';
import { type AccountDirectory, DEVICE_API_SCOPES, ROLE_SCOPES } from './accounts.ts';
import type { MemoryStore } from './memory-store.ts';
import { errorPage, loggedOutPage, logoutConfirmPage, PAGE_CSP } from './pages.ts';
import { accountClaims, applyLenientProfile, profileClaimNames } from './profile.ts';
import type { AuthServerSecrets } from './signing-keys.ts';
import type { StatsRecorder } from './stats.ts';

export interface AuthProviderDeps {
  config: PlatformConfig;
  issuer: string;
  secrets: AuthServerSecrets;
  store: MemoryStore;
  accounts: AccountDirectory;
  /** Counts token requests the lenient profile refuses before oidc-provider sees them. */
  stats?: StatsRecorder;
}

const epochSeconds = () => Math.floor(Date.now() / 1000);

/**
 * The platform's OpenID Provider, configured like the IoT platform it stands in for: short JWT access
 * tokens, rotating refresh tokens with an idle timeout and an absolute lifetime, reuse detection that
 * revokes the grant, PKCE (S256) for every client, exact redirect URIs, `iss` in every authorization
 * response (RFC 9207), revocation (RFC 7009), RP-initiated and back-channel logout. The lenient
 * profile takes some of that away (see profile.ts).
 */
export function createAuthProvider({
  config,
  issuer,
  secrets,
  store,
  accounts,
  stats,
}: AuthProviderDeps): Provider {
  const audience = config.apiAudience;
  const bff = config.bffClient;
  const automation = config.automationClient;
  const profile = config.authProfile;
  const strict = profile === 'strict';
  const clientAuthMethod = strict ? 'client_secret_basic' : 'client_secret_post';
  // Idle timeout, capped by the absolute lifetime of the rotation chain (iiat = first issue time).
  const refreshTokenTtl = (token: { iiat?: number | undefined }) =>
    Math.max(
      1,
      Math.min(
        config.refreshTokenIdleTtl,
        (token.iiat ?? epochSeconds()) + config.refreshTokenAbsoluteTtl - epochSeconds(),
      ),
    );

  // First-party client: no consent screen. Each requested device-API scope is granted if the user's
  // role allows it and rejected otherwise (a rejected scope counts as decided, so no prompt follows).
  async function loadExistingGrant(ctx: KoaContextWithOIDC) {
    const { client, session, provider } = ctx.oidc;
    if (!client || !session?.accountId) return undefined;
    const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
    let grant = grantId ? await provider.Grant.find(grantId) : undefined;
    if (client.clientId !== bff.id) return grant;
    grant ??= new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    const role = accounts.findBySub(session.accountId)?.role;
    const allowed = new Set(role ? ROLE_SCOPES[role] : []);
    const requested = [...(ctx.oidc.requestParamScopes ?? [])];
    grant.addOIDCScope(
      requested.filter((s) => ['openid', 'profile', 'offline_access'].includes(s)).join(' '),
    );
    const apiScopes = requested.filter((s) => (DEVICE_API_SCOPES as readonly string[]).includes(s));
    const granted = apiScopes.filter((s) => allowed.has(s));
    const rejected = apiScopes.filter((s) => !allowed.has(s));
    if (granted.length) grant.addResourceScope(audience, granted.join(' '));
    if (rejected.length) grant.rejectResourceScope(audience, rejected.join(' '));
    await grant.save();
    return grant;
  }

  const configuration: Configuration = {
    adapter: store.adapterFactory,
    jwks: secrets.jwks as Configuration['jwks'],
    cookies: { keys: secrets.cookieKeys },
    clients: [
      {
        client_id: bff.id,
        client_secret: bff.secret,
        client_name: 'IoT Fleet Monitor',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [`${config.appUrl}/bff/callback`],
        post_logout_redirect_uris: [`${config.appUrl}/`],
        backchannel_logout_uri: `${config.appUrl}/bff/backchannel-logout`,
        backchannel_logout_session_required: true,
        token_endpoint_auth_method: clientAuthMethod,
      },
      {
        client_id: automation.id,
        client_secret: automation.secret,
        client_name: 'IoT Automation (service account)',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: clientAuthMethod,
      },
    ],
    // Lenient: like providers that accept only form-posted secrets (discovery lists just that).
    ...(strict ? {} : { clientAuthMethods: ['client_secret_post'] as const }),
    // Only OpenID scopes here: the device API's scopes belong to its resource server (below), which
    // also bounds what either client can be granted. (So discovery's scopes_supported omits them.)
    scopes: ['openid', 'profile', 'offline_access'],
    claims: { openid: ['sub'], profile: profileClaimNames(profile) },
    // Strict: the BFF reads name and roles from the ID token; no userinfo round trip needed.
    // (oidc-provider would put them there anyway: the access token has an audience.)
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = accounts.findBySub(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async (use) => ({ sub, ...accountClaims(account, profile, use) }),
      };
    },
    async extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const role = accountId ? accounts.findBySub(accountId)?.role : undefined;
      return role ? { roles: [role] } : undefined;
    },
    loadExistingGrant,
    // Refresh tokens for the first-party client without `offline_access` + `prompt=consent`. They are
    // bound to the SSO session as well as to the idle and absolute limits below: signing out at the
    // platform (or its session expiring) ends every refresh token of that session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    expiresWithSession: async () => true,
    // Lenient: like providers that never rotate; the same refresh token works until it expires
    // (profile.ts slides its idle timeout on each use).
    rotateRefreshToken: strict && config.rotateRefreshTokens,
    pkce: { required: () => true },
    ttl: {
      AccessToken: config.accessTokenTtl,
      ClientCredentials: config.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: config.accessTokenTtl,
      Interaction: 600,
      Session: config.sessionTtl,
      Grant: Math.max(config.sessionTtl, config.refreshTokenAbsoluteTtl),
      RefreshToken: (_ctx, token) => refreshTokenTtl(token),
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Lenient: no revocation endpoint, so discovery has no revocation_endpoint.
      revocation: { enabled: strict },
      introspection: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.set('content-security-policy', PAGE_CSP);
          ctx.type = 'html';
          ctx.body = logoutConfirmPage(form, ctx.host);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.set('content-security-policy', PAGE_CSP);
          ctx.type = 'html';
          ctx.body = loggedOutPage(ctx.oidc.client?.clientName);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== audience) throw new errors.InvalidTarget();
          return {
            scope: DEVICE_API_SCOPES.join(' '),
            audience,
            accessTokenTTL: config.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async renderError(ctx, out) {
      ctx.set('content-security-policy', PAGE_CSP);
      ctx.type = 'html';
      ctx.body = errorPage(
        String(out.error),
        out.error_description ? String(out.error_description) : undefined,
      );
    },
    // oidc-provider refuses to POST back-channel logout tokens to loopback (an SSRF guard). The demo
    // BFF lives on loopback, so demo mode lets those through; production keeps the guard.
    ...(config.demo
      ? {
          fetch: (url: string | URL | Request, options?: RequestInit & { dispatcher?: unknown }) => {
            const { dispatcher: _ignored, ...rest } = options ?? {};
            return fetch(url, rest);
          },
        }
      : {}),
  };

  const provider = new Provider(issuer, configuration);
  provider.proxy = false;
  if (!strict) {
    applyLenientProfile({
      provider,
      issuer,
      audience,
      jwks: secrets.jwks,
      accounts,
      refreshTokenTtl,
      onTokenError: stats ? (grantType) => stats.countTokenError(grantType) : undefined,
    });
  }
  return provider;
}
