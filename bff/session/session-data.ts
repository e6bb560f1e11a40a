import { z } from 'zod';

/**
 * What the BFF keeps per signed-in user; lives only inside the sealed cookie. Sessions the codec hands
 * out are frozen (they may be shared through its cache): build a new one to change anything.
 */
export interface SessionData {
  readonly v: 1;
  /** Random id of this BFF session (for audit and the ended-sessions list). */
  readonly bffSessionId: string;
  readonly sub: string;
  readonly name: string;
  readonly roles: string[];
  /** The IdP's session id (for back-channel logout). */
  readonly sid?: string;
  readonly accessToken: string;
  /** ms epoch */
  readonly accessTokenExpiresAt: number;
  readonly refreshToken?: string;
  readonly scope?: string;
  /** ms epoch */
  readonly startedAt: number;
  /** ms epoch */
  readonly lastRefreshAt?: number;
  readonly refreshCount: number;
  /** ms epoch, when known */
  readonly sessionExpiresAt?: number;
  /** The ID token is NOT stored: it would double the cookie and the BFF never needs it after sign-in. */
  readonly idTokenHint?: never;
}

const msEpoch = z.int().nonnegative();

/** Strict: an unknown or missing field makes the whole session invalid. */
export const sessionDataSchema = z.strictObject({
  v: z.literal(1),
  bffSessionId: z.string().min(1),
  sub: z.string().min(1),
  name: z.string(),
  roles: z.array(z.string()),
  sid: z.string().min(1).optional(),
  accessToken: z.string().min(1),
  accessTokenExpiresAt: msEpoch,
  refreshToken: z.string().min(1).optional(),
  scope: z.string().optional(),
  startedAt: msEpoch,
  lastRefreshAt: msEpoch.optional(),
  refreshCount: z.int().nonnegative(),
  sessionExpiresAt: msEpoch.optional(),
}) satisfies z.ZodType<SessionData>;
