/**
 * The token lifecycle: how long a token is good for, refreshing it exactly once however many requests
 * race, what a failed refresh means for the session, and the gate every request passes to find its
 * session. Routes and the proxy use what is exported here and nothing else of this folder.
 */
export { type CircuitPermit, type CircuitState, IdpCircuit, type IdpCircuitOptions } from './idp-circuit.ts';
export {
  classifyRefreshFailure,
  providerRetryAfterSeconds,
  type RefreshFailure,
  type RefreshFailureClass,
} from './refresh-failure.ts';
export {
  ServiceAccountError,
  ServiceAccountTokens,
  type ServiceAccountTokensOptions,
} from './service-account-tokens.ts';
export {
  normaliseScope,
  type SessionTimingRules,
  type SignedInUser,
  sessionFromTokenResponse,
  type TokenResponse,
} from './session-from-tokens.ts';
export {
  createSessionLoader,
  type LoadedSession,
  requireSession,
  type SessionLoader,
} from './session-gate.ts';
export {
  type FreshSession,
  refreshKeys,
  SessionRefresher,
  type SessionRefresherOptions,
  sessionExpired,
} from './session-refresher.ts';
export {
  type ExpiryRules,
  type ExpirySource,
  estimateAccessTokenExpiry,
  estimateSessionExpiry,
  renewalTiming,
} from './token-expiry.ts';
export {
  BrowserSessionTokens,
  createSessionTokens,
  type SessionTokensFactory,
  type TokenSource,
} from './token-source.ts';
