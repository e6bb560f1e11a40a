import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuthProfile } from '../config.ts';
import { readBody } from '../faults.ts';
import type { Account, AccountDirectory } from './accounts.ts';
import { publicJwks } from './signing-keys.ts';

/**
 * AUTH_PROFILE=lenient: the platform behaves like a real, less strict OpenID provider, so the BFF is
 * tested against a second behaviour. provider.ts switches off refresh-token rotation and revocation
 * and allows only `client_secret_post`; this module adds what oidc-provider has no option for:
 *
 * - the idle timeout of a refresh token counted from its last use, as with rotation (oidc-provider
 *   never re-saves a token it does not rotate, so it would die `idle` seconds after sign-in);
 * - a userinfo endpoint that accepts the BFF's JWT access token for the device API (oidc-provider's
 *   own refuses any token with an audience, and cannot even look up a JWT access token);
 * - no `iss` in authorization responses, and discovery not advertising it (oidc-provider always
 *   sends it);
 * - a dead refresh token answered `400 invalid_request` instead of `invalid_grant`;
 * - `client_secret_basic` refused with `invalid_client` (oidc-provider accepts a client's secret
 *   either way, whatever it registered), like providers that take form-posted secrets only.
 */

/** The claims of an account for an ID token (`use: 'id_token'`) or userinfo, per profile. */
export function accountClaims(account: Account, profile: AuthProfile, use: string): Record<string, unknown> {
  if (profile === 'strict') {
    return {
      sub: account.sub,
      name: account.name,
      preferred_username: account.username,
      roles: [account.role],
    };
  }
  // Lenient: the ID token identifies the user and nothing more (OpenID Connect Core 5.4 for the code
  // flow); profile claims and roles (Keycloak's realm_access shape) come from userinfo only.
  if (use !== 'userinfo') return { sub: account.sub };
  return userinfoClaims(account);
}

function userinfoClaims(account: Account): Record<string, unknown> {
  return {
    sub: account.sub,
    name: account.name,
    preferred_username: account.username,
    realm_access: { roles: [account.role] },
  };
}

/** The profile claims discovery advertises (`claims_supported`) and the `profile` scope releases. */
export function profileClaimNames(profile: AuthProfile): string[] {
  return profile === 'strict'
    ? ['name', 'preferred_username', 'roles']
    : ['name', 'preferred_username', 'realm_access'];
}

export interface LenientProfileDeps {
  provider: Provider;
  issuer: string;
  /** The device API's audience: the only access tokens the userinfo endpoint has to accept itself. */
  audience: string;
  /** The private signing keys; only their public halves are used. */
  jwks: { keys: JWK[] };
  accounts: AccountDirectory;
  /** Seconds a refresh token lives from now (provider.ts's ttl.RefreshToken: idle, capped by absolute). */
  refreshTokenTtl: (token: { iiat?: number | undefined }) => number;
  /** Told the grant type of each token request refused here, so /dev/stats counts it as an error. */
  onTokenError?: (grantType: string) => void;
}

type Next = () => Promise<unknown>;
type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Buffer.isBuffer(value);

/**
 * Installs the lenient behaviours as Koa middleware around oidc-provider's routes (provider.use runs
 * them before its router, and lets them rewrite its answers afterwards).
 */
export function applyLenientProfile(deps: LenientProfileDeps): void {
  const { provider } = deps;
  provider.use(onlyClientSecretPost(deps));
  provider.use(userinfoForApiTokens(deps));
  provider.use(withoutIssInAuthorizationResponses);
  provider.use(withoutIssSupportInDiscovery);
  provider.use(deadRefreshTokenAsInvalidRequest);
  provider.use(slidingRefreshTokens(deps));
}

function onlyClientSecretPost({ provider, issuer, onTokenError }: LenientProfileDeps) {
  const tokenPath = provider.pathFor('token');
  const introspectionPath = provider.pathFor('introspection');
  const description = 'client authentication failed (only client_secret_post is supported)';
  return async (ctx: KoaContextWithOIDC, next: Next) => {
    const isTokenEndpoint = ctx.path === tokenPath;
    if (!/^basic /i.test(ctx.get('authorization')) || (!isTokenEndpoint && ctx.path !== introspectionPath)) {
      return next();
    }
    if (isTokenEndpoint && onTokenError) {
      // Answered here, so oidc-provider never parses the body nor emits grant.error: read the grant
      // type ourselves (the body is ours to consume, nothing else will read it).
      let grantType = 'unknown';
      try {
        grantType = new URLSearchParams(await readBody(ctx.req)).get('grant_type') || 'unknown';
      } catch {
        // Too large or cut off: still a refused token request.
      }
      onTokenError(grantType);
    }
    ctx.status = 401;
    ctx.set(
      'www-authenticate',
      `Basic realm="${issuer}", error="invalid_client", error_description="${description}"`,
    );
    ctx.set('cache-control', 'no-store');
    ctx.body = { error: 'invalid_client', error_description: description };
  };
}

function userinfoForApiTokens({ provider, issuer, audience, jwks, accounts }: LenientProfileDeps) {
  const getKey = createLocalJWKSet(publicJwks(jwks));
  const path = provider.pathFor('userinfo');

  const refuse = (ctx: KoaContextWithOIDC, description: string) => {
    ctx.status = 401;
    ctx.set(
      'www-authenticate',
      `Bearer realm="${issuer}", error="invalid_token", error_description="${description}"`,
    );
    ctx.body = { error: 'invalid_token', error_description: description };
  };

  return async (ctx: KoaContextWithOIDC, next: Next) => {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'POST')) return next();
    // A compact JWS: header.payload.signature, each base64url.
    const token = /^Bearer +([\w-]+\.[\w-]+\.[\w-]*) *$/i.exec(ctx.get('authorization'))?.[1];
    // No bearer header, or an opaque token: oidc-provider's own userinfo answers (or refuses) it.
    if (!token) return next();
    ctx.set('cache-control', 'no-store');
    let sub: string | undefined;
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer,
        audience,
        typ: 'at+jwt',
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['sub', 'exp'],
      });
      sub = payload.sub;
    } catch {
      // Whatever jose objects to (expiry, signature, claims, garbage) is the token's fault: 401.
      return refuse(ctx, 'invalid or expired access token');
    }
    const account = sub ? accounts.findBySub(sub) : undefined;
    // A client-credentials token (sub = client id) has no user to describe.
    if (!account) return refuse(ctx, 'access token does not belong to a user');
    ctx.body = userinfoClaims(account);
  };
}

/** `iss` removed from a redirect's query or fragment; anything else is left byte for byte. */
function withoutIssParam(location: string): string {
  if (!/[?&#]iss=/.test(location)) return location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return location;
  }
  if (url.searchParams.has('iss')) url.searchParams.delete('iss');
  if (url.hash) {
    const fragment = new URLSearchParams(url.hash.slice(1));
    if (fragment.has('iss')) {
      fragment.delete('iss');
      url.hash = fragment.toString();
    }
  }
  return url.href;
}

// How oidc-provider's form_post response mode writes the parameter (response_modes/form_post.js).
const FORM_POST_ISS = /\s*<input type="hidden" name="iss" value="[^"]*"\/>/g;

async function withoutIssInAuthorizationResponses(ctx: KoaContextWithOIDC, next: Next) {
  await next();
  const route = ctx.oidc?.route;
  // Authorization responses (success and error) leave from the authorization endpoint or, after the
  // login form, from its resume route.
  if (route !== 'authorization' && route !== 'resume') return;
  const location = ctx.response.get('location');
  if (location) {
    const stripped = withoutIssParam(location);
    if (stripped !== location) ctx.set('location', stripped);
  } else if (typeof ctx.body === 'string' && ctx.body.includes('name="iss"')) {
    ctx.body = ctx.body.replace(FORM_POST_ISS, '');
  }
}

async function withoutIssSupportInDiscovery(ctx: KoaContextWithOIDC, next: Next) {
  await next();
  // oidc-provider hard-codes `true`; a provider without RFC 9207 support says nothing at all.
  if (ctx.oidc?.route === 'discovery' && isObject(ctx.body)) {
    delete ctx.body.authorization_response_iss_parameter_supported;
  }
}

function slidingRefreshTokens({ refreshTokenTtl }: LenientProfileDeps) {
  return async (ctx: KoaContextWithOIDC, next: Next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.oidc.params?.grant_type !== 'refresh_token') return;
    const token = ctx.oidc.entities.RefreshToken;
    if (ctx.status !== 200 || !token) return;
    // Same token value (same jti), new expiry: still capped by the absolute lifetime from `iiat`.
    token.exp = Math.floor(Date.now() / 1000) + refreshTokenTtl(token);
    await token.save();
  };
}

async function deadRefreshTokenAsInvalidRequest(ctx: KoaContextWithOIDC, next: Next) {
  await next();
  if (ctx.oidc?.route !== 'token' || ctx.oidc.params?.grant_type !== 'refresh_token') return;
  // The body is still an object here (Koa serialises after every middleware); the provider's
  // grant.error event has already fired with the real error, so /dev/stats counts it as before.
  if (ctx.status === 400 && isObject(ctx.body) && ctx.body.error === 'invalid_grant') {
    ctx.body = { ...ctx.body, error: 'invalid_request' };
  }
}
