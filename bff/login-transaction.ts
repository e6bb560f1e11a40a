import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sealData, unsealData } from 'iron-session';
import { z } from 'zod';

/** What must survive the round trip through the authorization server, sealed, for ten minutes. */
const loginTransactionSchema = z.object({
  state: z.string().min(16),
  nonce: z.string().min(16),
  codeVerifier: z.string().min(43),
  returnTo: z.string().startsWith('/'),
  prompt: z.string().optional(),
  createdAt: z.number(),
});
export type LoginTransaction = z.infer<typeof loginTransactionSchema>;

const PREFIX = 'bff_login_';
const TTL_SECONDS = 600;
/** Pending sign-ins kept at once (one per tab); past that the oldest tabs must start again. */
const MAX_PENDING = 4;
/** Exactly the names `cookieNameFor` makes, as the browser sends them (with `__Host-`). */
const OUR_COOKIE_NAME = /^__Host-bff_login_[A-Za-z0-9_-]{16}$/;
/**
 * The shape of every seal `start` makes (iron, a numeric expiry from the TTL, format 2). Checked
 * before unsealing: iron-session throws, rather than answering {}, for some malformed seals.
 */
const SEAL_SHAPE = /^Fe26\.2\*(\w{1,32})\*[0-9a-f]+\*[\w-]+\*[\w-]+\*[0-9]{1,16}\*[0-9a-f]+\*[\w-]+~2$/;
/** A transaction seals to well under 1 KB; anything near a whole cookie is not ours. */
const MAX_SEAL_LENGTH = 4096;

// Named by a hash of `state`, so two tabs signing in at once each find their own transaction.
const cookieNameFor = (state: string) =>
  `${PREFIX}${createHash('sha256').update(state).digest('base64url').slice(0, 16)}`;

const cookieOptions = {
  prefix: 'host',
  httpOnly: true,
  secure: true,
  path: '/',
  // Lax, not Strict: the cookie must come back on the top-level redirect from the authorization server.
  sameSite: 'Lax',
} as const;

export class LoginTransactions {
  /** Own entries only, without a prototype: a seal's key id is looked up in it with `in`. */
  readonly #passwords: Record<string, string>;

  constructor(passwords: Record<string, string>) {
    this.#passwords = Object.assign(Object.create(null), passwords);
  }

  async start(c: Context, tx: LoginTransaction): Promise<void> {
    // Only names we make: a look-alike sent by the browser may not even be a valid Set-Cookie name.
    const pending = Object.keys(getCookie(c)).filter((name) => OUR_COOKIE_NAME.test(name));
    if (pending.length >= MAX_PENDING) {
      for (const name of pending) deleteCookie(c, name.slice('__Host-'.length), cookieOptions);
    }
    const sealed = await sealData(tx, { password: this.#passwords, ttl: TTL_SECONDS });
    setCookie(c, cookieNameFor(tx.state), sealed, { ...cookieOptions, maxAge: TTL_SECONDS });
  }

  /** Finds and removes the transaction for `state`; undefined if missing, expired or tampered with. */
  async finish(c: Context, state: string | undefined): Promise<LoginTransaction | undefined> {
    if (!state || state.length > 512) return undefined;
    const name = cookieNameFor(state);
    const sealed = getCookie(c, name, 'host');
    if (!sealed) return undefined;
    deleteCookie(c, name, cookieOptions);
    const data = await this.#unseal(sealed);
    const parsed = loginTransactionSchema.safeParse(data);
    return parsed.success && parsed.data.state === state ? parsed.data : undefined;
  }

  /** The sealed data, or undefined for anything that is not a seal of ours: a crafted cookie is no transaction. */
  async #unseal(sealed: string): Promise<unknown> {
    if (sealed.length > MAX_SEAL_LENGTH) return undefined;
    const keyId = SEAL_SHAPE.exec(sealed)?.[1];
    // Own keys only: `constructor` or `__proto__` must not find an inherited "password".
    if (keyId === undefined || !Object.hasOwn(this.#passwords, keyId)) return undefined;
    try {
      return await unsealData<unknown>(sealed, { password: this.#passwords, ttl: TTL_SECONDS });
    } catch {
      // iron-session rethrows some failures (a wrong mac prefix, an invalid expiration) instead of {}.
      return undefined;
    }
  }
}
