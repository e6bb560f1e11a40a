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
  readonly #passwords: Record<string, string>;

  constructor(passwords: Record<string, string>) {
    this.#passwords = passwords;
  }

  async start(c: Context, tx: LoginTransaction): Promise<void> {
    const pending = Object.keys(getCookie(c)).filter((name) => name.startsWith(`__Host-${PREFIX}`));
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
    const data = await unsealData<unknown>(sealed, { password: this.#passwords, ttl: TTL_SECONDS });
    const parsed = loginTransactionSchema.safeParse(data);
    return parsed.success && parsed.data.state === state ? parsed.data : undefined;
  }
}
