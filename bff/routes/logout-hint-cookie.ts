import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sealData, unsealData } from 'iron-session';

const NAME = 'bff_logout_hint';
/** Sent with the logout request only: it never rides along with /api traffic. */
const PATH = '/bff/logout';
/** A larger ID token is not kept (the provider then shows its own logout confirmation). */
const MAX_SEALED_BYTES = 3800;

/**
 * The ID token, kept sealed for one purpose: `id_token_hint` at RP-initiated logout, for providers
 * that require it (OIDC_LOGOUT_ID_TOKEN_HINT). Its own `__Secure-` cookie scoped to `/bff/logout`,
 * so the session cookie stays within its size budget and the ID token travels only to logout.
 */
export class LogoutHintCookie {
  readonly #passwords: Record<string, string>;
  readonly #maxAgeSeconds: number;

  constructor(passwords: Record<string, string>, maxAgeSeconds: number) {
    this.#passwords = passwords;
    this.#maxAgeSeconds = maxAgeSeconds;
  }

  async write(c: Context, idToken: string): Promise<void> {
    const sealed = await sealData({ idToken }, { password: this.#passwords, ttl: this.#maxAgeSeconds });
    if (sealed.length > MAX_SEALED_BYTES) return;
    setCookie(c, NAME, sealed, this.#attributes(this.#maxAgeSeconds));
  }

  /** The kept ID token, and the cookie cleared; undefined when there is none or it does not open. */
  async take(c: Context): Promise<string | undefined> {
    const sealed = getCookie(c, NAME, 'secure');
    if (!sealed) return undefined;
    deleteCookie(c, NAME, this.#attributes(0));
    try {
      const data = await unsealData<{ idToken?: unknown }>(sealed, {
        password: this.#passwords,
        ttl: this.#maxAgeSeconds,
      });
      return typeof data.idToken === 'string' ? data.idToken : undefined;
    } catch {
      return undefined; // a forged or malformed value: no hint, logout still completes
    }
  }

  #attributes(maxAge: number) {
    return {
      prefix: 'secure',
      secure: true,
      httpOnly: true,
      path: PATH,
      sameSite: 'Strict',
      maxAge,
    } as const;
  }
}
