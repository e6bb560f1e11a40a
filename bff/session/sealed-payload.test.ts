import { describe, expect, it } from 'vitest';
import { fromSealedPayload, PAYLOAD_FIELDS, toSealedPayload } from './sealed-payload.ts';
import { sessionDataSchema } from './session-data.ts';
import { makeSession } from './test-support.ts';

describe('sealed payload', () => {
  it('has a position for every session field but v', () => {
    expect([...PAYLOAD_FIELDS].sort()).toEqual(
      Object.keys(sessionDataSchema.shape)
        .filter((key) => key !== 'v')
        .sort(),
    );
  });

  it('round-trips a session with its seal expiry', () => {
    const session = makeSession();
    const payload = JSON.parse(JSON.stringify(toSealedPayload(session, 1_700_028_800_000)));
    expect(payload.slice(0, 3)).toEqual([1, 1_700_028_800_000, session.bffSessionId]);
    expect(fromSealedPayload(payload)).toStrictEqual({ session, sealExpiresAt: 1_700_028_800_000 });
  });

  it('writes absent optional fields as null and leaves them out again', () => {
    const { sid, refreshToken, ...session } = makeSession();
    const payload = toSealedPayload(session, 5);
    expect(payload[PAYLOAD_FIELDS.indexOf('sid') + 2]).toBeNull();
    expect(fromSealedPayload(payload)?.session).toStrictEqual(session);
  });

  it.each<[string, unknown]>([
    ['not an array', { sub: 'x' }],
    ['a short array', [1, 5]],
    ['a fractional expiry', [1, 5.5, ...toSealedPayload(makeSession(), 5).slice(2)]],
    ['a bad field', toSealedPayload({ ...makeSession(), roles: 'operator' as unknown as string[] }, 5)],
  ])('refuses %s', (_, payload) => {
    expect(fromSealedPayload(payload)).toBeUndefined();
  });
});

describe('sessionDataSchema', () => {
  it('accepts a session and refuses unknown, missing and ID-token fields', () => {
    const session = makeSession();
    expect(sessionDataSchema.safeParse(session).success).toBe(true);
    expect(sessionDataSchema.safeParse({ ...session, idToken: 'x' }).success).toBe(false);
    expect(sessionDataSchema.safeParse({ ...session, idTokenHint: 'x' }).success).toBe(false);
    const { accessToken, ...missing } = session;
    expect(sessionDataSchema.safeParse(missing).success).toBe(false);
    expect(sessionDataSchema.safeParse({ ...session, v: 2 }).success).toBe(false);
  });
});
