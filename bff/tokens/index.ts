/**
 * The token lifecycle: how long a token is good for, refreshing it exactly once however many requests
 * race, what a failed refresh means for the session, and the gate every request passes to find its
 * session. Routes and the proxy use what is exported here and nothing else of this folder.
 */
export { classifyRefreshFailure, type RefreshFailureClass, retryAfterSeconds } from './refresh-failure.ts';
export {
  createSessionLoader,
  type LoadedSession,
  requireSession,
  type SessionLoader,
} from './session-gate.ts';
export {
  type FreshSession,
  SessionRefresher,
  type SessionRefresherOptions,
  sessionExpired,
} from './session-refresher.ts';
export {
  type ExpiryRules,
  type ExpirySource,
  estimateAccessTokenExpiry,
  estimateSessionExpiry,
} from './token-expiry.ts';
