/**
 * How long an access token is valid, estimated when the token response arrives, from the
 * first indicator present: `expires_in`; a configured rule for a scope; a configured default of the
 * provider; the consumer's default. `requestStartedAt` is the clock reading taken *before* the token
 * request was sent, so network time and clock skew make the estimate early, never late.
 */
export interface ExpiryRules {
  /** Scope → lifetime in seconds (`Infinity` for a scope documented as never expiring). */
  scopeLifetimes: Record<string, number>;
  /** The provider's documented default lifetime, s. */
  providerDefaultSeconds: number | undefined;
  /** Ours, when nothing else says (config default 300 s): short, so an unknown token is refreshed soon. */
  consumerDefaultSeconds: number;
}

export type ExpirySource = 'expires_in' | 'scope_rule' | 'provider_default' | 'consumer_default';

export function estimateAccessTokenExpiry(
  response: { expires_in?: number | undefined; scope?: string | undefined },
  requestStartedAt: number,
  rules: ExpiryRules,
): { expiresAt: number; source: ExpirySource } {
  if (
    typeof response.expires_in === 'number' &&
    Number.isFinite(response.expires_in) &&
    response.expires_in >= 0
  ) {
    return { expiresAt: requestStartedAt + response.expires_in * 1000, source: 'expires_in' };
  }
  const scopes = (response.scope ?? '').split(' ').filter(Boolean);
  const ruled = scopes.map((s) => rules.scopeLifetimes[s]).filter((s): s is number => typeof s === 'number');
  if (ruled.length > 0) {
    // Several scopes with rules: the shortest wins (the token is only as good as its weakest promise).
    const seconds = Math.min(...ruled);
    return {
      expiresAt: seconds === Infinity ? Number.MAX_SAFE_INTEGER : requestStartedAt + seconds * 1000,
      source: 'scope_rule',
    };
  }
  if (rules.providerDefaultSeconds !== undefined) {
    return { expiresAt: requestStartedAt + rules.providerDefaultSeconds * 1000, source: 'provider_default' };
  }
  return { expiresAt: requestStartedAt + rules.consumerDefaultSeconds * 1000, source: 'consumer_default' };
}

/**
 * When the session ends if nothing else happens: the earlier of a configured absolute lifetime
 * (counted from the sign-in) and a refresh-token lifetime the provider states in its token response
 * (`refresh_token_expires_in`, or Keycloak's `refresh_expires_in`). Undefined when neither is known.
 */
export function estimateSessionExpiry(input: {
  signedInAt: number;
  absoluteLifetimeSeconds: number | undefined;
  response: Record<string, unknown>;
  requestStartedAt: number;
}): number | undefined {
  const stated = [input.response.refresh_token_expires_in, input.response.refresh_expires_in].find(
    (v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
  );
  const candidates = [
    input.absoluteLifetimeSeconds === undefined
      ? undefined
      : input.signedInAt + input.absoluteLifetimeSeconds * 1000,
    stated === undefined ? undefined : input.requestStartedAt + stated * 1000,
  ].filter((v): v is number => v !== undefined);
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

/**
 * When a token should be renewed (`due`: in the background) and when a caller must wait for the new
 * one (`mustWait`). The leeway is capped at half the token's lifetime and the safety margin at half
 * the leeway, so a provider issuing 60 s tokens is not asked on every request.
 */
export function renewalTiming(input: {
  expiresAt: number;
  obtainedAt: number;
  now: number;
  leewayMs: number;
  safetyMarginMs: number;
}): { due: boolean; mustWait: boolean } {
  const remaining = input.expiresAt - input.now;
  const lifetime = input.expiresAt - input.obtainedAt;
  const leeway = Math.min(input.leewayMs, Math.max(0, lifetime / 2));
  const margin = Math.min(input.safetyMarginMs, leeway / 2);
  return { due: remaining <= leeway, mustWait: remaining <= margin };
}
