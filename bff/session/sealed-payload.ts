import { type SessionData, sessionDataSchema } from './session-data.ts';

/** Bump when the positions below change: older seals then read as invalid and users sign in again. */
const PAYLOAD_FORMAT = 1;

type PayloadField = Exclude<keyof SessionData, 'v' | 'idTokenHint'>;

/**
 * The sealed payload is a positional array rather than the object: after encryption and base64 the
 * field names alone would cost ~220 bytes, enough to push a session holding the platform's tokens
 * past the 2 KB cookie budget. Absent optional fields are `null`.
 */
export const PAYLOAD_FIELDS = [
  'bffSessionId',
  'sub',
  'name',
  'roles',
  'sid',
  'accessToken',
  'accessTokenExpiresAt',
  'refreshToken',
  'scope',
  'startedAt',
  'lastRefreshAt',
  'refreshCount',
  'sessionExpiresAt',
] as const satisfies readonly PayloadField[];

/** `[format, sealExpiresAt, ...fields]`; the seal's own expiry travels inside the encryption. */
export function toSealedPayload(session: SessionData, sealExpiresAt: number): unknown[] {
  return [PAYLOAD_FORMAT, sealExpiresAt, ...PAYLOAD_FIELDS.map((field) => session[field] ?? null)];
}

export interface OpenedPayload {
  session: SessionData;
  sealExpiresAt: number;
}

/** The session and the seal's expiry, or undefined for any other shape (checked by the strict schema). */
export function fromSealedPayload(payload: unknown): OpenedPayload | undefined {
  if (!Array.isArray(payload) || payload.length !== PAYLOAD_FIELDS.length + 2) return undefined;
  const format: unknown = payload[0];
  const sealExpiresAt: unknown = payload[1];
  if (
    format !== PAYLOAD_FORMAT ||
    typeof sealExpiresAt !== 'number' ||
    !Number.isSafeInteger(sealExpiresAt)
  ) {
    return undefined;
  }
  const candidate: Record<string, unknown> = { v: 1 };
  PAYLOAD_FIELDS.forEach((field, index) => {
    const value: unknown = payload[index + 2];
    if (value !== null) candidate[field] = value;
  });
  const parsed = sessionDataSchema.safeParse(candidate);
  return parsed.success ? { session: parsed.data, sealExpiresAt } : undefined;
}
