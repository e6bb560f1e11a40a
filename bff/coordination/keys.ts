/**
 * Every key the BFF keeps in the coordination store, in one place: what it means, and whether it
 * must survive a restart. Keys never hold a token: refresh tokens appear only as SHA-256 digests,
 * and refresh results are stored sealed.
 */
export const coordinationKeys = {
  /** A BFF session ended by our logout: its cookie is refused everywhere from now on. */
  endedBffSession: (bffSessionId: string) => `ended:bff:${bffSessionId}`,
  /** An identity-provider session ended by back-channel logout (`sid`). */
  endedIdpSession: (sid: string) => `ended:sid:${sid}`,
  /** Every session of a user started before this moment (back-channel logout by `sub`). */
  endedUser: (sub: string) => `ended:sub:${sub}`,
  /** One refresh result (of this refresh token replacing this access token), sealed. */
  refreshResult: (flight: string) => `refresh:result:${flight}`,
  /** Held while one instance refreshes a flight; the others wait for its result. */
  refreshLock: (flight: string) => `refresh:lock:${flight}`,
  /** A refresh token the provider rejected (digest): never sent again. */
  refreshDead: (tokenDigest: string) => `refresh:dead:${tokenDigest}`,
  /** A rotated-away refresh token (digest): never replayed (the provider would revoke the grant). */
  refreshConsumed: (tokenDigest: string) => `refresh:consumed:${tokenDigest}`,
  /** A back-channel logout token's `jti`, refused if it comes again. */
  backchannelJti: (jti: string) => `bcl:jti:${jti}`,
} as const;

/**
 * Locks only coordinate requests in flight; after a restart there are none, and a remembered lock
 * would only delay the next refresh. Everything else protects sessions and must outlive the process.
 */
export function isDurableKey(key: string): boolean {
  return !key.startsWith('refresh:lock:');
}
