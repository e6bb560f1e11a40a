/**
 * Identity-provider quirks, each a named profile: where the user's name and roles are, what the
 * provider's refresh errors mean, and how its API says a token expired. One registry
 * (PROVIDER_PROFILES), one place to add the next provider.
 */
export { claimAt, rolesClaim, stringClaim } from './claims.ts';
export {
  bearerChallengeError,
  type ExpiredTokenRule,
  expiredTokenRules,
  facebookInvalidToken,
  matchingRule,
  rfc6750InvalidToken,
} from './expired-token-rules.ts';
export {
  PROVIDER_PROFILE_NAMES,
  PROVIDER_PROFILES,
  type ProviderProfile,
  type ProviderProfileName,
  type RefreshFailureClass,
  refreshErrorClass,
  resolveProviderProfile,
} from './provider-profiles.ts';
