import { type ExpiredTokenRule, facebookInvalidToken } from './expired-token-rules.ts';

/**
 * What a failed refresh means for the session: the refresh token is dead (sign in again), the
 * provider is briefly unavailable (keep the session, try later), or it refused *our client* (a
 * configuration fault: keep sessions, tell the operator).
 */
export type RefreshFailureClass = 'grant_rejected' | 'transient' | 'client_rejected';

/**
 * One identity provider's (or API's) ways, in one place: where it puts the user's name and roles,
 * what its token-endpoint error codes mean for a session, and how its API says a token expired.
 * Adding the next provider is one entry in PROVIDER_PROFILES.
 */
export interface ProviderProfile {
  readonly name: string;
  /** Claim paths tried in order, in the ID token and then in userinfo; a dotted path reads nested objects. */
  readonly nameClaims: readonly string[];
  readonly rolesClaims: readonly string[];
  /**
   * Token-endpoint error codes on a refresh whose meaning differs from the rule every provider gets
   * (RFC 6749 section 5.2: a 4xx OAuth error ends the session, `invalid_client` and
   * `unauthorized_client` are our configuration, 5xx and 429 are transient).
   */
  readonly refreshErrors: Readonly<Record<string, RefreshFailureClass>>;
  /** Ways besides RFC 6750's `401 error="invalid_token"` in which the API says a token expired. */
  readonly expiredTokenRules: readonly ExpiredTokenRule[];
}

/** Shared by every profile: the RFC 6749 codes that are not the user's refresh token being dead. */
const RFC6749_REFRESH_ERRORS: Record<string, RefreshFailureClass> = {
  invalid_client: 'client_rejected',
  unauthorized_client: 'client_rejected',
  // Not a token-endpoint code in RFC 6749, but several providers send it with a 400 during overload.
  temporarily_unavailable: 'transient',
  server_error: 'transient',
};

export const PROVIDER_PROFILES = {
  /** Any standards-following OpenID Provider: `name`, `preferred_username`, a top-level `roles` claim. */
  standard: {
    name: 'standard',
    nameClaims: ['name', 'preferred_username'],
    rolesClaims: ['roles'],
    refreshErrors: RFC6749_REFRESH_ERRORS,
    expiredTokenRules: [],
  },
  /** Keycloak: realm roles under `realm_access.roles`. */
  keycloak: {
    name: 'keycloak',
    nameClaims: ['name', 'preferred_username'],
    rolesClaims: ['realm_access.roles', 'roles'],
    refreshErrors: RFC6749_REFRESH_ERRORS,
    expiredTokenRules: [],
  },
  /** Okta and others that carry roles as group membership. */
  groups: {
    name: 'groups',
    nameClaims: ['name', 'preferred_username'],
    rolesClaims: ['groups'],
    refreshErrors: RFC6749_REFRESH_ERRORS,
    expiredTokenRules: [],
  },
  /** Facebook's Graph API: an expired token is a `400` with its own `WWW-Authenticate` challenge. */
  facebook: {
    name: 'facebook',
    nameClaims: ['name'],
    rolesClaims: ['roles'],
    refreshErrors: RFC6749_REFRESH_ERRORS,
    expiredTokenRules: [facebookInvalidToken],
  },
} as const satisfies Record<string, ProviderProfile>;

export type ProviderProfileName = keyof typeof PROVIDER_PROFILES;
export const PROVIDER_PROFILE_NAMES = Object.keys(PROVIDER_PROFILES) as ProviderProfileName[];

/**
 * The profile in force: a named one, with claim locations overridden by configuration
 * (`OIDC_NAME_CLAIM`, `OIDC_ROLES_CLAIM`) when set.
 */
export function resolveProviderProfile(
  name: ProviderProfileName,
  overrides: { nameClaim?: string | undefined; rolesClaim?: string | undefined } = {},
): ProviderProfile {
  const base: ProviderProfile = PROVIDER_PROFILES[name];
  return {
    ...base,
    nameClaims: overrides.nameClaim ? [overrides.nameClaim] : base.nameClaims,
    rolesClaims: overrides.rolesClaim ? [overrides.rolesClaim] : base.rolesClaims,
  };
}

/** What a token-endpoint OAuth error on a refresh means under this profile. */
export function refreshErrorClass(
  profile: ProviderProfile,
  status: number,
  oauthError: string,
): RefreshFailureClass {
  const mapped = Object.hasOwn(profile.refreshErrors, oauthError)
    ? profile.refreshErrors[oauthError]
    : undefined;
  if (mapped) return mapped;
  if (status >= 500 || status === 429) return 'transient';
  return 'grant_rejected';
}
