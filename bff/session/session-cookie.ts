import type { Context } from 'hono';
import { generateCookie, getCookie, setCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { sealData, unsealData } from 'iron-session';
import { BffError } from '../errors.ts';
import {
  chunkCookieName,
  chunkNamesAmong,
  joinSeal,
  MAX_CHUNKS_LIMIT,
  MAX_COOKIE_BYTES,
  splitSeal,
} from './chunks.ts';
import { LruCache } from './lru-cache.ts';
import { parsePasswords, type SealPasswords } from './passwords.ts';
import { fromSealedPayload, type OpenedPayload, toSealedPayload } from './sealed-payload.ts';
import { type SessionData, sessionDataSchema } from './session-data.ts';

export interface SessionCookieOptions {
  /** Sealing keys by id (`{ 1: old, 2: new }`, each ≥ 32 characters): the highest id seals, all unseal. */
  passwords: Record<string, string>;
  /** Cookie name without the `__Host-` prefix, which is always added. Default `bff_session`. */
  name?: string;
  /** Cookie `Max-Age` and seal lifetime, in seconds. Default 8 h. */
  maxAgeSeconds?: number;
  /** How many cookies one session may span. Default 4. */
  maxChunks?: number;
  /** Unsealed sessions kept in memory, keyed by sealed string; 0 turns the cache off. Default 1000. */
  unsealCache?: number;
  /** Clock in ms. Default: `Date.now()`, read at each call. */
  now?: () => number;
}

export interface SealOptions {
  /** Overrides the codec's `maxAgeSeconds` for this seal and its cookies (e.g. the session's remaining life). */
  maxAgeSeconds?: number;
}

export const SESSION_COOKIE_DEFAULTS = {
  name: 'bff_session',
  maxAgeSeconds: 8 * 60 * 60,
  maxChunks: 4,
  unsealCache: 1000,
} as const;

const HOST_PREFIX = '__Host-';
/** Hono refuses a longer `Max-Age` (RFC 6265bis caps it at 400 days). */
const MAX_AGE_LIMIT_SECONDS = 400 * 24 * 60 * 60;
/**
 * The shape of every seal this codec makes (iron, no iron TTL, format 2). Checking it first turns
 * garbage and unknown key ids away without paying for PBKDF2.
 */
const SEAL_SHAPE = /^Fe26\.2\*([1-9][0-9]{0,8})\*[0-9a-f]+\*[\w-]+\*[\w-]+\*\*[0-9a-f]+\*[\w-]+~2$/;

/**
 * Seals the session into `__Host-` cookies (split across numbered chunks when tokens are large) and
 * opens them again. Anything wrong with a cookie reads as "no session", never as an error. Logs
 * nothing and never puts a token into an error message.
 */
export class SessionCookieCodec {
  /** The name browsers send: `__Host-bff_session`. */
  readonly cookieName: string;
  readonly #name: string;
  readonly #passwords: SealPasswords;
  readonly #maxAgeSeconds: number;
  readonly #maxChunks: number;
  readonly #now: () => number;
  readonly #cache: LruCache<OpenedPayload> | undefined;
  /** Whole Cookie headers that held a good seal (same size as the unseal cache). */
  readonly #byHeader: LruCache<OpenedPayload> | undefined;
  /** Chunk names set by a write in this response, so a later write or clear in it can expire them. */
  readonly #liveChunks = new WeakMap<Context, ReadonlySet<string>>();

  constructor(options: SessionCookieOptions) {
    const name = options.name ?? SESSION_COOKIE_DEFAULTS.name;
    // No dots: `.<n>` is how chunks are named.
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new RangeError(`Session cookie name "${name}" may use only letters, digits, "_" and "-".`);
    }
    const maxChunks = options.maxChunks ?? SESSION_COOKIE_DEFAULTS.maxChunks;
    if (!Number.isInteger(maxChunks) || maxChunks < 1 || maxChunks > MAX_CHUNKS_LIMIT) {
      throw new RangeError(`Session cookie maxChunks must be an integer from 1 to ${MAX_CHUNKS_LIMIT}.`);
    }
    const unsealCache = options.unsealCache ?? SESSION_COOKIE_DEFAULTS.unsealCache;
    if (!Number.isInteger(unsealCache) || unsealCache < 0) {
      throw new RangeError('Session cookie unsealCache must be a non-negative integer (0 turns it off).');
    }
    this.#name = name;
    this.cookieName = HOST_PREFIX + name;
    this.#passwords = parsePasswords(options.passwords);
    this.#maxAgeSeconds = checkMaxAge(options.maxAgeSeconds ?? SESSION_COOKIE_DEFAULTS.maxAgeSeconds);
    this.#maxChunks = maxChunks;
    this.#now = options.now ?? (() => Date.now());
    this.#cache = unsealCache > 0 ? new LruCache(unsealCache) : undefined;
    this.#byHeader = unsealCache > 0 ? new LruCache(unsealCache) : undefined;
  }

  /** Seals a session that passes the schema; a bad one is our bug, so it throws `server_error`. */
  async seal(session: SessionData, options: SealOptions = {}): Promise<string> {
    const maxAgeSeconds = checkMaxAge(options.maxAgeSeconds ?? this.#maxAgeSeconds);
    const checked = sessionDataSchema.safeParse(session);
    if (!checked.success) {
      // Paths only: an issue's message could quote a value, and values include tokens.
      const fields = [...new Set(checked.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
      throw new BffError('server_error', 500, `Refusing to seal an invalid session (${fields.join(', ')}).`);
    }
    const payload = toSealedPayload(checked.data, this.#now() + maxAgeSeconds * 1000);
    const sealed = await sealData(payload, { password: this.#passwords, ttl: 0 });
    // The next request carries exactly this string; we made it, so it is as good as verified.
    const opened = fromSealedPayload(payload);
    if (opened) this.#remember(sealed, opened);
    return sealed;
  }

  /** The session in a seal, or undefined if it is malformed, forged, expired, of a removed key or of another shape. */
  async unseal(sealed: string): Promise<SessionData | undefined> {
    if (typeof sealed !== 'string' || sealed.length > this.#maxChunks * MAX_COOKIE_BYTES) return undefined;
    const cached = this.#cache?.get(sealed);
    if (cached) {
      if (cached.sealExpiresAt > this.#now()) return cached.session;
      this.#cache?.delete(sealed);
      return undefined;
    }
    const keyId = SEAL_SHAPE.exec(sealed)?.[1];
    if (keyId === undefined || !(keyId in this.#passwords)) return undefined;
    let payload: unknown;
    try {
      // Answers {} for a bad seal, but rethrows some errors (such as a wrong mac prefix).
      payload = await unsealData<unknown>(sealed, { password: this.#passwords, ttl: 0 });
    } catch {
      return undefined;
    }
    const opened = fromSealedPayload(payload);
    if (!opened || opened.sealExpiresAt <= this.#now()) return undefined;
    return this.#remember(sealed, opened);
  }

  /** The request's session, or undefined when there is none or its cookies are bad in any way. */
  async read(c: Context): Promise<SessionData | undefined> {
    const header = c.req.raw.headers.get('cookie');
    // Room for every chunk plus one full cookie of others; anything larger is not ours to parse.
    if (!header || header.length > (this.#maxChunks + 1) * MAX_COOKIE_BYTES) return undefined;
    // A dashboard sends the same Cookie header on every poll: skip parsing it again. Only headers
    // that held a good seal are remembered, and the seal's expiry is still checked.
    const known = this.#byHeader?.get(header);
    if (known) {
      if (known.sealExpiresAt > this.#now()) return known.session;
      this.#byHeader?.delete(header);
    }
    const sealed = joinSeal(getCookie(c), this.cookieName, this.#maxChunks);
    const session = sealed === undefined ? undefined : await this.unseal(sealed);
    if (session && sealed !== undefined) {
      const opened = this.#cache?.get(sealed);
      if (opened) this.#byHeader?.set(header, opened);
    }
    return session;
  }

  /**
   * Seals the session and sets its cookie(s), expiring chunks that a previous, longer session left
   * behind. Throws `server_error` if the session does not fit in `maxChunks` cookies.
   */
  async write(c: Context, session: SessionData, options: SealOptions = {}): Promise<void> {
    const attributes = cookieAttributes(checkMaxAge(options.maxAgeSeconds ?? this.#maxAgeSeconds));
    const sealed = await this.seal(session, options);
    const room = (index: number) =>
      MAX_COOKIE_BYTES - generateCookie(chunkCookieName(this.#name, index), '', attributes).length;
    const values = splitSeal(sealed, room, this.#maxChunks);
    if (!values) {
      throw new BffError(
        'server_error',
        500,
        `The session is too large for its cookies (${sealed.length} bytes sealed, at most ${this.#maxChunks} cookies).`,
      );
    }
    const stale = this.#chunkNamesToExpire(c);
    const live = new Set<string>();
    values.forEach((value, index) => {
      const name = chunkCookieName(this.#name, index);
      setCookie(c, name, value, attributes);
      if (index > 0) live.add(name);
    });
    for (const name of stale) if (!live.has(name)) this.#expire(c, name);
    this.#liveChunks.set(c, live);
  }

  /** Expires the session cookie and every chunk the request carried or this response set. */
  clear(c: Context): void {
    for (const name of new Set([this.#name, ...this.#chunkNamesToExpire(c)])) this.#expire(c, name);
    this.#liveChunks.delete(c);
  }

  #chunkNamesToExpire(c: Context): Set<string> {
    const carried = chunkNamesAmong(Object.keys(getCookie(c)), this.cookieName).map((name) =>
      name.slice(HOST_PREFIX.length),
    );
    return new Set([...carried, ...(this.#liveChunks.get(c) ?? [])]);
  }

  #expire(c: Context, name: string): void {
    setCookie(c, name, '', cookieAttributes(0));
  }

  /** Freezes what callers get, so a cached session cannot be changed under another request. */
  #remember(sealed: string, opened: OpenedPayload): SessionData {
    Object.freeze(opened.session.roles);
    Object.freeze(opened.session);
    this.#cache?.set(sealed, Object.freeze(opened));
    return opened.session;
  }
}

function cookieAttributes(maxAge: number): CookieOptions {
  return { prefix: 'host', secure: true, httpOnly: true, path: '/', sameSite: 'Strict', maxAge };
}

function checkMaxAge(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_AGE_LIMIT_SECONDS) {
    throw new RangeError(
      `Session cookie maxAgeSeconds must be an integer from 1 to ${MAX_AGE_LIMIT_SECONDS}, got ${seconds}.`,
    );
  }
  return seconds;
}
