import { createHash, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit.ts';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import { BffError } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { SessionCookieCodec, SessionData } from '../session/index.ts';
import { classifyRefreshFailure, type RefreshFailureClass, retryAfterSeconds } from './refresh-failure.ts';
import { type ExpiryRules, estimateAccessTokenExpiry, estimateSessionExpiry } from './token-expiry.ts';

export interface SessionRefresherOptions {
  oidc: OidcClient;
  store: CoordinationStore;
  /** Seals refresh results kept in the store: the store never holds a token in the clear. */
  codec: SessionCookieCodec;
  audit: AuditLog;
  expiryRules: ExpiryRules;
  /** Refresh when the access token has this little left (default 60 s). */
  leewayMs: number;
  /** How long a refresh result serves requests still carrying the old cookie (default 120 s). */
  graceMs: number;
  /** How long a request may wait for a refresh, retries included, before it is answered anyway. */
  budgetMs: number;
  /** How long consumed refresh tokens are remembered (the longest a session can live). */
  rememberConsumedMs: number;
  /** The IdP's refresh-token absolute lifetime, when configured. */
  absoluteLifetimeSeconds: number | undefined;
}

export interface FreshSession {
  session: SessionData;
  /** True when the session differs from the one the request carried: the response sets the cookie. */
  changed: boolean;
}

type FlightOutcome =
  | { kind: 'refreshed'; session: SessionData }
  | { kind: 'ended'; error: BffError }
  | { kind: 'failed'; failure: RefreshFailureClass; retryAfter: number };

/** A single refresh attempt may take this long: we never abort a request the IdP may still be processing. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** The store lock outlives the longest flight (a few attempts) so a crashed holder frees it in time. */
const LOCK_TTL_MS = ATTEMPT_TIMEOUT_MS * 2;
const POLL_MS = 25;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const sessionExpired = (message = 'The session has ended; sign in again') =>
  new BffError('session_expired', 401, message);

/**
 * Keeps a session's access token fresh (DESIGN.md section 5): refreshes `leeway` before expiry, exactly
 * once per refresh token however many requests race — on this instance through one shared promise,
 * across instances through a lock in the coordination store — and shares the result for a grace window
 * with requests still carrying the previous cookie. A refresh token seen again after that is never
 * replayed at the IdP (with rotation, a replay revokes the grant and signs the user out everywhere).
 */
export class SessionRefresher {
  readonly #o: SessionRefresherOptions;
  readonly #inflight = new Map<string, Promise<FlightOutcome>>();
  readonly #instanceId = randomUUID();

  constructor(options: SessionRefresherOptions) {
    this.#o = options;
  }

  needsRefresh(session: SessionData, now = Date.now()): boolean {
    return session.accessTokenExpiresAt - now <= this.#o.leewayMs;
  }

  /**
   * Returns a session whose access token is good to use, refreshing first when due (or when `force`d
   * because the API rejected the token). Throws `session_expired` when the refresh token is dead, and
   * `idp_unavailable` when the IdP cannot be reached and the current token will not do.
   */
  async ensureFresh(session: SessionData, options: { force?: boolean } = {}): Promise<FreshSession> {
    const force = options.force ?? false;
    if (!force && !this.needsRefresh(session)) return { session, changed: false };
    if (!session.refreshToken) {
      if (!force && session.accessTokenExpiresAt > Date.now()) return { session, changed: false };
      throw sessionExpired('The access token expired and there is no refresh token');
    }
    const key = createHash('sha256').update(session.refreshToken).digest('base64url');
    // Budgets run on the monotonic clock: Date may be mocked (tests) or stepped (NTP).
    const deadline = performance.now() + this.#o.budgetMs;

    // Registered synchronously, so every request racing on this instance joins the same flight.
    const flight =
      (await this.#knownOutcome(key, session)) ?? this.#inflight.get(key) ?? this.#startFlight(key, session);
    const outcome = await Promise.race([
      flight,
      sleep(Math.max(0, deadline - performance.now())).then(() => undefined),
    ]);
    if (!outcome) return this.#unavailable(session, force, 5, 'refresh still running');
    if (outcome.kind === 'refreshed') return { session: outcome.session, changed: true };
    if (outcome.kind === 'ended') throw outcome.error;
    if (outcome.failure === 'invalid_grant') throw sessionExpired('The refresh token is no longer valid');
    return this.#unavailable(session, force, outcome.retryAfter, outcome.failure);
  }

  /** A result in the grace window, a dead token, or a consumed one (a stale cookie): no IdP call. */
  async #knownOutcome(key: string, session: SessionData): Promise<FlightOutcome | undefined> {
    const [result, dead, consumed] = await Promise.all([
      this.#o.store.get(`refresh:result:${key}`),
      this.#o.store.get(`refresh:dead:${key}`),
      this.#o.store.get(`refresh:consumed:${key}`),
    ]);
    if (result) {
      const newer = await this.#o.codec.unseal(result);
      if (newer && newer.bffSessionId === session.bffSessionId) return { kind: 'refreshed', session: newer };
    }
    if (dead) return { kind: 'ended', error: sessionExpired('The refresh token is no longer valid') };
    if (consumed) {
      this.#o.audit.record('stale_refresh_token', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        consumedSecondsAgo: Math.round((Date.now() - Number(consumed)) / 1000),
        note: 'a cookie older than the grace window came back: possible cookie replay',
      });
      return { kind: 'ended', error: sessionExpired('This session was renewed elsewhere; sign in again') };
    }
    return undefined;
  }

  /**
   * One flight per refresh token on this instance: take the store's lock (other instances), look
   * again under it (one may have just finished), then refresh. Without the lock, wait for the
   * holder's result in the store, or take over if the lock goes away without one.
   */
  #startFlight(key: string, session: SessionData): Promise<FlightOutcome> {
    const lock = `refresh:lock:${key}`;
    const flight = (async (): Promise<FlightOutcome> => {
      const giveUpAt = performance.now() + LOCK_TTL_MS;
      while (!(await this.#o.store.setIfAbsent(lock, this.#instanceId, LOCK_TTL_MS))) {
        if (performance.now() > giveUpAt) return { kind: 'failed', failure: 'transient', retryAfter: 5 };
        await sleep(POLL_MS);
        const known = await this.#knownOutcome(key, session);
        if (known) return known;
      }
      try {
        return (await this.#knownOutcome(key, session)) ?? (await this.#refreshWithRetries(key, session));
      } finally {
        await this.#o.store.delete(lock);
      }
    })().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, flight);
    return flight;
  }

  #unavailable(session: SessionData, force: boolean, retryAfter: number, detail: string): FreshSession {
    // Serve with the current token while it is still valid (unless the API just rejected it).
    if (!force && session.accessTokenExpiresAt > Date.now()) return { session, changed: false };
    throw new BffError(
      'idp_unavailable',
      503,
      `The identity provider is unavailable (${detail}); try again shortly`,
      {
        'retry-after': String(retryAfter),
      },
    );
  }

  // Recomputed on every refresh: the configured absolute end is fixed by the sign-in time, while a
  // lifetime the provider states (often an idle timeout) moves with each token response.
  #sessionExpiry(session: SessionData, response: Record<string, unknown>, requestStartedAt: number) {
    return estimateSessionExpiry({
      signedInAt: session.startedAt,
      absoluteLifetimeSeconds: this.#o.absoluteLifetimeSeconds,
      response,
      requestStartedAt,
    });
  }

  async #refreshWithRetries(key: string, session: SessionData): Promise<FlightOutcome> {
    const started = performance.now();
    const refreshToken = session.refreshToken ?? '';
    for (let attempt = 1; ; attempt++) {
      const requestStartedAt = Date.now();
      try {
        const tokens = await this.#o.oidc.refresh(refreshToken, ATTEMPT_TIMEOUT_MS);
        const { expiresAt } = estimateAccessTokenExpiry(tokens, requestStartedAt, this.#o.expiryRules);
        const refreshed: SessionData = {
          ...session,
          accessToken: tokens.access_token,
          accessTokenExpiresAt: expiresAt,
          refreshToken: tokens.refresh_token ?? refreshToken,
          scope: tokens.scope ?? session.scope,
          lastRefreshAt: Date.now(),
          refreshCount: session.refreshCount + 1,
          sessionExpiresAt: this.#sessionExpiry(session, tokens, requestStartedAt),
        };
        await this.#o.store.set(
          `refresh:result:${key}`,
          await this.#o.codec.seal(refreshed),
          this.#o.graceMs,
        );
        if (tokens.refresh_token && tokens.refresh_token !== refreshToken) {
          await this.#o.store.set(`refresh:consumed:${key}`, String(Date.now()), this.#o.rememberConsumedMs);
        }
        this.#o.audit.record('refresh', {
          bffSessionId: session.bffSessionId,
          sub: session.sub,
          durationMs: Math.round(performance.now() - started),
          attempts: attempt,
          refreshCount: refreshed.refreshCount,
          rotated: refreshed.refreshToken !== refreshToken,
        });
        return { kind: 'refreshed', session: refreshed };
      } catch (error) {
        const failure = classifyRefreshFailure(error);
        const elapsed = performance.now() - started;
        // Exponential backoff with full jitter, only while the request's budget allows another try.
        const backoff = Math.random() * Math.min(2000, 100 * 2 ** attempt);
        if (failure === 'transient' && elapsed + backoff < this.#o.budgetMs) {
          await sleep(backoff);
          continue;
        }
        this.#o.audit.record('refresh_failed', {
          bffSessionId: session.bffSessionId,
          sub: session.sub,
          failure,
          attempts: attempt,
          durationMs: Math.round(elapsed),
          oauthError: (error as { error?: string }).error,
        });
        if (failure === 'invalid_grant') {
          await this.#o.store.set(`refresh:dead:${key}`, '1', this.#o.rememberConsumedMs);
          this.#o.audit.record('session_ended', {
            bffSessionId: session.bffSessionId,
            sub: session.sub,
            reason: 'refresh_token_rejected',
            sessionAgeSeconds: Math.round((Date.now() - session.startedAt) / 1000),
            sinceLastRefreshSeconds: Math.round(
              (Date.now() - (session.lastRefreshAt ?? session.startedAt)) / 1000,
            ),
          });
        }
        if (failure === 'invalid_client') {
          console.error(
            JSON.stringify({
              level: 'error',
              event: 'config_error',
              message: 'the IdP rejected our client credentials',
            }),
          );
        }
        return { kind: 'failed', failure, retryAfter: retryAfterSeconds(error) };
      }
    }
  }
}
