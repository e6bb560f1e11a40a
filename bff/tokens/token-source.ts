import type { Context } from 'hono';
import { BffError } from '../errors.ts';
import type { SessionCookieCodec, SessionData } from '../session/index.ts';
import { requireSession, type SessionLoader } from './session-gate.ts';
import type { SessionRefresher } from './session-refresher.ts';

/**
 * Where a caller gets a usable access token, without knowing how it is kept fresh: the browser
 * session's cookie here, the service account's client credentials for automation.
 */
export interface TokenSource {
  /**
   * A usable access token. `force`: the API just rejected the current one (RFC 6750 `invalid_token`),
   * so get a new one rather than the one held.
   */
  getAccessToken(options?: { force?: boolean }): Promise<string>;
}

/**
 * The token source of one request's browser session. A refresh result is written to the session
 * cookie here and only here (so it reaches the browser whatever the API then answers); a dead
 * session's cookie is cleared here.
 */
export class BrowserSessionTokens implements TokenSource {
  readonly #c: Context;
  readonly #refresher: SessionRefresher;
  readonly #codec: SessionCookieCodec;
  #session: SessionData;

  constructor(
    c: Context,
    session: SessionData,
    deps: { refresher: SessionRefresher; codec: SessionCookieCodec },
  ) {
    this.#c = c;
    this.#session = session;
    this.#refresher = deps.refresher;
    this.#codec = deps.codec;
  }

  /** The session as this request now knows it (after any refresh it collected). */
  get session(): SessionData {
    return this.#session;
  }

  async getAccessToken(options: { force?: boolean } = {}): Promise<string> {
    if (!options.force && this.#refresher.isFreshAsIs(this.#session)) return this.#session.accessToken;
    return (await this.freshSession(options)).accessToken;
  }

  /** The session with a usable access token; sets the cookie when it changed. */
  async freshSession(options: { force?: boolean } = {}): Promise<SessionData> {
    try {
      const fresh = await this.#refresher.ensureFresh(this.#session, options);
      if (fresh.changed) {
        this.#session = fresh.session;
        await this.#codec.write(this.#c, fresh.session);
      }
      return fresh.session;
    } catch (error) {
      if (error instanceof BffError && error.code === 'session_expired') this.#codec.clear(this.#c);
      throw error;
    }
  }
}

/** Opens the request's session and gives its token source; 401 when there is none. */
export type SessionTokensFactory = (c: Context) => Promise<BrowserSessionTokens>;

export function createSessionTokens(deps: {
  load: SessionLoader;
  refresher: SessionRefresher;
  codec: SessionCookieCodec;
}): SessionTokensFactory {
  return async (c) => new BrowserSessionTokens(c, requireSession(await deps.load(c)), deps);
}
