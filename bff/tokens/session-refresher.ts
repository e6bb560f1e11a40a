import { createHash, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit.ts';
import type { CoordinationStore } from '../coordination/coordination-store.ts';
import { coordinationKeys } from '../coordination/keys.ts';
import { BffError } from '../errors.ts';
import type { OidcClient } from '../oidc/oidc-client.ts';
import type { ProviderProfile } from '../providers/index.ts';
import type { SessionCookieCodec, SessionData } from '../session/index.ts';
import type { IdpCircuit } from './idp-circuit.ts';
import { classifyRefreshFailure, providerRetryAfterSeconds, type RefreshFailure } from './refresh-failure.ts';
import { type SessionTimingRules, sessionFromTokenResponse } from './session-from-tokens.ts';
import { renewalTiming } from './token-expiry.ts';

export interface SessionRefresherOptions {
  oidc: OidcClient;
  store: CoordinationStore;
  /** Seals refresh results kept in the store: the store never holds a token in the clear. */
  codec: SessionCookieCodec;
  audit: AuditLog;
  profile: ProviderProfile;
  circuit: IdpCircuit;
  rules: SessionTimingRules;
  /** Refresh when the access token has this little left (default 60 s). */
  leewayMs: number;
  /** Inside the leeway, only a token with less than this left waits for the refresh (default 10 s). */
  safetyMarginMs: number;
  /** How long a refresh result serves requests still carrying the old cookie once collected (120 s). */
  graceMs: number;
  /** How long a request may wait for a refresh before it is answered anyway. */
  budgetMs: number;
  /** How long consumed refresh tokens are remembered (the longest a session can live). */
  rememberConsumedMs: number;
  /** Told of every refresh that runs (tests wait for background refreshes to settle). */
  observeFlight?: (flight: Promise<unknown>) => void;
}

export interface FreshSession {
  session: SessionData;
  /** True when the session differs from the one the request carried: the response sets the cookie. */
  changed: boolean;
}

type FlightOutcome =
  | { kind: 'refreshed'; session: SessionData }
  | { kind: 'ended'; error: BffError }
  | { kind: 'unavailable'; retryAfter: number };

/** A refresh result in the store: sealed, and whether a response has carried it to the browser yet. */
interface StoredResult {
  sealed: string;
  collected: boolean;
}

/** A single refresh attempt may take this long: we never abort a request the IdP may still be processing. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** The store lock outlives the longest attempt, so a crashed holder frees it in time. */
const LOCK_TTL_MS = ATTEMPT_TIMEOUT_MS * 2;
const POLL_MS = 25;
/** A result may lead to another due session (a tab back after a long pause); bounded. */
const MAX_HOPS = 3;
/** `invalid_client` is logged at most this often: the circuit stops the calls, this stops the lines. */
const CONFIG_ERROR_LOG_INTERVAL_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

export const sessionExpired = (message = 'The session has ended; sign in again') =>
  new BffError('session_expired', 401, message);

/** Store keys of the lifecycle, all in one place. */
/** The refresher's keys in the coordination store (all keys are defined in coordination/keys.ts). */
export const refreshKeys = {
  result: coordinationKeys.refreshResult,
  lock: coordinationKeys.refreshLock,
  dead: coordinationKeys.refreshDead,
  consumed: coordinationKeys.refreshConsumed,
};

/**
 * Keeps a session's access token usable (refresh ahead, never wait for it):
 *
 * - a request that finds the token inside the leeway but valid for longer than the safety margin
 *   starts the refresh in the background and is served at once with the current token; only a
 *   token that is expired or inside the margin (or that the API just rejected) waits;
 * - exactly one refresh per refresh *result* however many requests race: one promise per instance,
 *   a lock in the coordination store across instances, re-checked once taken. The flight key hashes
 *   the refresh token and the access token it replaces, so a provider that does not rotate refresh
 *   tokens still gets a new refresh each time;
 * - the result is kept sealed in the store: until a response carries it to the browser (a background
 *   refresh: up to the session's end), then for the grace window for requests still carrying the old
 *   cookie. A rotated-away refresh token is never replayed at the provider;
 * - failures are classified by what they mean for the session, and a per-provider circuit answers
 *   waiting requests at once while the provider is down.
 */
export class SessionRefresher {
  readonly #o: SessionRefresherOptions;
  readonly #inflight = new Map<string, Promise<FlightOutcome>>();
  readonly #instanceId = randomUUID();
  #configErrorLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(options: SessionRefresherOptions) {
    this.#o = options;
  }

  #timing(session: SessionData, now: number) {
    return renewalTiming({
      expiresAt: session.accessTokenExpiresAt,
      obtainedAt: session.lastRefreshAt ?? session.startedAt,
      now,
      leewayMs: this.#o.leewayMs,
      safetyMarginMs: this.#o.safetyMarginMs,
    });
  }

  /** True when the session's token is used as it is: no refresh due (the hot path, no await). */
  isFreshAsIs(session: SessionData): boolean {
    return !this.#timing(session, Date.now()).due;
  }

  /**
   * Returns a session whose access token is good to use, refreshing when due (or when `force`d
   * because the API rejected the token). Throws `session_expired` when the refresh token is dead,
   * and `idp_unavailable` when the provider cannot be reached and the current token will not do.
   */
  async ensureFresh(carried: SessionData, options: { force?: boolean } = {}): Promise<FreshSession> {
    let session = carried;
    let force = options.force ?? false;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const timing = this.#timing(session, Date.now());
      if (!force && !timing.due) return { session, changed: session !== carried };
      const mustWait = force || timing.mustWait;
      if (!session.refreshToken) {
        if (!mustWait) return { session, changed: session !== carried };
        throw sessionExpired('The access token expired and there is no refresh token');
      }
      const flightKey = sha256(`${session.refreshToken}\n${session.accessToken}`);
      const known = await this.#knownOutcome(flightKey, session, { collect: true });
      if (known?.kind === 'ended') throw known.error;
      if (known?.kind === 'refreshed') {
        // A newer session from this cookie: take it, and look again (it may be due itself). It
        // carries a new access token, so a forced refresh is answered by it.
        session = known.session;
        force = false;
        continue;
      }
      const flight = this.#inflight.get(flightKey) ?? this.#startFlight(flightKey, session);
      if (!mustWait) return { session, changed: session !== carried }; // the flight goes on without us
      const outcome = await this.#awaitWithinBudget(flight);
      if (outcome.kind === 'ended') throw outcome.error;
      if (outcome.kind === 'unavailable') return this.#unavailable(session, force, carried, outcome);
      if (force && outcome.session.accessToken === session.accessToken) {
        // The provider handed back the token the API just rejected: retrying with it is pointless.
        return this.#unavailable(session, force, carried, {
          kind: 'unavailable',
          retryAfter: 5,
        });
      }
      await this.#markCollected(flightKey);
      session = outcome.session;
      force = false;
    }
    return this.#unavailable(session, false, carried, { kind: 'unavailable', retryAfter: 5 });
  }

  async #awaitWithinBudget(flight: Promise<FlightOutcome>): Promise<FlightOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<FlightOutcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'unavailable', retryAfter: 5 }), this.#o.budgetMs);
    });
    try {
      return await Promise.race([flight, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A result from this cookie, a dead refresh token, or a consumed one (a stale cookie): no IdP call.
   * `collect`: the caller's response will carry a result found here to the browser.
   */
  async #knownOutcome(
    flightKey: string,
    session: SessionData,
    options: { collect: boolean },
  ): Promise<FlightOutcome | undefined> {
    const tokenKey = sha256(session.refreshToken ?? '');
    const [stored, dead, consumed] = await this.#o.store.getMany([
      refreshKeys.result(flightKey),
      refreshKeys.dead(tokenKey),
      refreshKeys.consumed(tokenKey),
    ]);
    const result = parseStoredResult(stored);
    if (result) {
      const newer = await this.#o.codec.unseal(result.sealed);
      if (newer && newer.bffSessionId === session.bffSessionId) {
        if (options.collect && !result.collected) await this.#markCollected(flightKey, result);
        return { kind: 'refreshed', session: newer };
      }
    }
    if (dead) return { kind: 'ended', error: sessionExpired('The refresh token is no longer valid') };
    if (consumed) {
      this.#o.audit.record('stale_refresh_token', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        consumedSecondsAgo: Math.round((Date.now() - Number(consumed)) / 1000),
        note: 'a cookie older than its refresh result came back: possible cookie replay',
      });
      return { kind: 'ended', error: sessionExpired('This session was renewed elsewhere; sign in again') };
    }
    return undefined;
  }

  /**
   * A response is about to carry this result to the browser: from now on it only serves requests
   * still carrying the old cookie, for the grace window. Done once, so the window does not slide.
   */
  async #markCollected(flightKey: string, known?: StoredResult): Promise<void> {
    const result = known ?? parseStoredResult(await this.#o.store.get(refreshKeys.result(flightKey)));
    if (!result || result.collected) return;
    await this.#o.store.set(
      refreshKeys.result(flightKey),
      JSON.stringify({ sealed: result.sealed, collected: true } satisfies StoredResult),
      this.#o.graceMs,
    );
  }

  /**
   * One flight per refresh result on this instance: ask the circuit, take the store's lock (other
   * instances), look again under it (one may have just finished), then refresh. Without the lock,
   * wait for the holder's result in the store, or take over if the lock goes away without one.
   */
  #startFlight(flightKey: string, session: SessionData): Promise<FlightOutcome> {
    const permit = this.#o.circuit.permit();
    if (permit.kind === 'refused') {
      // Registered for nobody: the next request asks the circuit again.
      return Promise.resolve({
        kind: 'unavailable',
        retryAfter: permit.retryAfterSeconds,
      });
    }
    const lock = refreshKeys.lock(flightKey);
    const flight = (async (): Promise<FlightOutcome> => {
      const giveUpAt = performance.now() + LOCK_TTL_MS;
      while (!(await this.#o.store.setIfAbsent(lock, this.#instanceId, LOCK_TTL_MS))) {
        if (performance.now() > giveUpAt) {
          if (permit.kind === 'probe') this.#o.circuit.failure('transient');
          return { kind: 'unavailable', retryAfter: 5 };
        }
        await sleep(POLL_MS);
        const known = await this.#knownOutcome(flightKey, session, { collect: false });
        if (known) {
          if (permit.kind === 'probe') this.#o.circuit.success();
          return known;
        }
      }
      try {
        return (
          (await this.#knownOutcome(flightKey, session, { collect: false })) ??
          (await this.#refresh(flightKey, session))
        );
      } finally {
        await this.#o.store.delete(lock);
      }
    })()
      .catch((error: unknown): FlightOutcome => {
        // The store failed: keep the session, say the provider side is unavailable.
        console.error(
          JSON.stringify({
            level: 'error',
            event: 'refresh_flight_failed',
            message: (error as Error).message,
          }),
        );
        if (permit.kind === 'probe') this.#o.circuit.failure('transient');
        return { kind: 'unavailable', retryAfter: 5 };
      })
      .finally(() => {
        this.#inflight.delete(flightKey);
        if (permit.kind === 'probe') this.#o.circuit.releaseProbe();
      });
    this.#inflight.set(flightKey, flight);
    this.#o.observeFlight?.(flight);
    return flight;
  }

  #unavailable(
    session: SessionData,
    force: boolean,
    carried: SessionData,
    outcome: Extract<FlightOutcome, { kind: 'unavailable' }>,
  ): FreshSession {
    // Serve with the current token while it is still valid (unless the API just rejected it).
    if (!force && session.accessTokenExpiresAt > Date.now()) return { session, changed: session !== carried };
    // Also when the provider refused our client: to the user it is the same wait, and the operators
    // get the config_error line.
    throw new BffError('idp_unavailable', 503, 'The identity provider is unavailable; try again shortly', {
      'retry-after': String(outcome.retryAfter),
    });
  }

  /**
   * One attempt. Retrying is the circuit's job: after a transient failure it pauses (with backoff
   * and jitter) and lets one later request probe, so no request spends its time on retries that the
   * previous attempt just showed to be useless.
   */
  async #refresh(flightKey: string, session: SessionData): Promise<FlightOutcome> {
    const started = performance.now();
    const refreshToken = session.refreshToken ?? '';
    const requestStartedAt = Date.now();
    try {
      const tokens = await this.#o.oidc.refresh(refreshToken, ATTEMPT_TIMEOUT_MS);
      const refreshed = sessionFromTokenResponse({
        tokens,
        requestStartedAt,
        rules: this.#o.rules,
        previous: session,
      });
      this.#o.circuit.success();
      await this.#storeResult(flightKey, refreshed);
      const rotated = refreshed.refreshToken !== refreshToken;
      if (rotated) {
        await this.#o.store.set(
          refreshKeys.consumed(sha256(refreshToken)),
          String(Date.now()),
          this.#o.rememberConsumedMs,
        );
      }
      this.#o.audit.record('refresh', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        durationMs: Math.round(performance.now() - started),
        refreshCount: refreshed.refreshCount,
        rotated,
      });
      return { kind: 'refreshed', session: refreshed };
    } catch (error) {
      return this.#failed(
        session,
        classifyRefreshFailure(error, this.#o.profile),
        error,
        performance.now() - started,
      );
    }
  }

  /** Kept until a response carries it to the browser, or the session could not outlive it anyway. */
  async #storeResult(flightKey: string, refreshed: SessionData): Promise<void> {
    const untilSessionEnd = (refreshed.sessionExpiresAt ?? Number.POSITIVE_INFINITY) - Date.now();
    const ttl = Math.max(this.#o.graceMs, Math.min(this.#o.rememberConsumedMs, untilSessionEnd));
    const sealed = await this.#o.codec.seal(refreshed);
    await this.#o.store.set(
      refreshKeys.result(flightKey),
      JSON.stringify({ sealed, collected: false } satisfies StoredResult),
      ttl,
    );
  }

  async #failed(
    session: SessionData,
    failure: RefreshFailure,
    error: unknown,
    elapsedMs: number,
  ): Promise<FlightOutcome> {
    this.#o.audit.record('refresh_failed', {
      bffSessionId: session.bffSessionId,
      sub: session.sub,
      failure: failure.failure,
      durationMs: Math.round(elapsedMs),
      oauthError: failure.oauthError,
      status: failure.status,
    });
    if (failure.failure === 'grant_rejected') {
      // The provider has spoken for this refresh token; it is not the provider being down.
      this.#o.circuit.success();
      await this.#o.store.set(
        refreshKeys.dead(sha256(session.refreshToken ?? '')),
        '1',
        this.#o.rememberConsumedMs,
      );
      this.#o.audit.record('session_ended', {
        bffSessionId: session.bffSessionId,
        sub: session.sub,
        reason: 'refresh_token_rejected',
        oauthError: failure.oauthError,
        sessionAgeSeconds: Math.round((Date.now() - session.startedAt) / 1000),
        sinceLastRefreshSeconds: Math.round(
          (Date.now() - (session.lastRefreshAt ?? session.startedAt)) / 1000,
        ),
      });
      return { kind: 'ended', error: sessionExpired('The refresh token is no longer valid') };
    }
    const hint = providerRetryAfterSeconds(error);
    this.#o.circuit.failure(failure.failure, hint);
    if (failure.failure === 'client_rejected') {
      if (Date.now() - this.#configErrorLoggedAt >= CONFIG_ERROR_LOG_INTERVAL_MS) {
        this.#configErrorLoggedAt = Date.now();
        console.error(
          JSON.stringify({
            level: 'error',
            event: 'config_error',
            message: 'the identity provider rejected our client credentials',
            oauthError: failure.oauthError,
          }),
        );
      }
    }
    return { kind: 'unavailable', retryAfter: this.#o.circuit.retryAfterSeconds() };
  }
}

function parseStoredResult(value: string | undefined): StoredResult | undefined {
  if (!value) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as StoredResult).sealed === 'string' &&
      typeof (parsed as StoredResult).collected === 'boolean'
    ) {
      return parsed as StoredResult;
    }
  } catch {
    // A value of another shape (an older version's): treated as absent.
  }
  return undefined;
}
