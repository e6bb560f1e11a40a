/** Identity-provider and API quirks, each a small named rule: how a provider says a token expired. */
export {
  bearerChallengeError,
  type ExpiredTokenRule,
  expiredTokenRules,
  facebookInvalidToken,
  matchingRule,
  rfc6750InvalidToken,
} from './expired-token-rules.ts';
