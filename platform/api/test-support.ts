// Shared by the device API's tests: a signing key with its JWKS, token minting and an API on a
// controllable clock. Not part of the public surface.
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { createDeviceApi } from './device-api.ts';
import type { DeviceApiOptions } from './device-api-options.ts';

export const ISSUER = 'http://127.0.0.1:4000';
export const AUDIENCE = 'urn:iot:device-api';
/** A fixed moment for the simulated clock: Sunday 1 June 2025, 12:00 UTC. */
export const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

export const OPERATOR_SCOPE = 'openid devices:read devices:command';
export const VIEWER_SCOPE = 'openid devices:read';

export interface TokenOverrides {
  sub?: string;
  scope?: string | undefined;
  roles?: string[];
  iss?: string;
  aud?: string | string[];
  typ?: string;
  kid?: string;
  /** Seconds since epoch; default: the clock's now. */
  iat?: number;
  /** Seconds since epoch; default: iat + 900. */
  exp?: number;
  /** Claims merged last; `undefined` removes one. */
  extra?: Record<string, unknown>;
}

export interface TestKeys {
  getKey: DeviceApiOptions['getKey'];
  /** Mints an access token at `nowMs` signed by the trusted key (or `signWith: 'stranger'`). */
  token(nowMs: number, overrides?: TokenOverrides, signWith?: 'trusted' | 'stranger'): Promise<string>;
}

export async function createTestKeys(): Promise<TestKeys> {
  const trusted = await generateKeyPair('ES256', { extractable: true });
  // Same kid as the trusted key, different key: a forged signature.
  const stranger = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const getKey = createLocalJWKSet({ keys: [jwk] });

  return {
    getKey,
    async token(nowMs, overrides = {}, signWith = 'trusted') {
      const iat = overrides.iat ?? Math.floor(nowMs / 1000);
      const payload: JWTPayload = {
        iss: overrides.iss ?? ISSUER,
        aud: overrides.aud ?? AUDIENCE,
        sub: overrides.sub ?? 'user-operator',
        client_id: 'iot-bff',
        jti: crypto.randomUUID(),
        iat,
        exp: overrides.exp ?? iat + 900,
        ...(overrides.scope === undefined && 'scope' in overrides
          ? {}
          : { scope: overrides.scope ?? OPERATOR_SCOPE }),
        ...(overrides.roles ? { roles: overrides.roles } : {}),
      };
      for (const [name, value] of Object.entries(overrides.extra ?? {})) {
        if (value === undefined) delete payload[name];
        else payload[name] = value;
      }
      return new SignJWT(payload)
        .setProtectedHeader({
          alg: 'ES256',
          typ: overrides.typ ?? 'at+jwt',
          kid: overrides.kid ?? 'test-key-1',
        })
        .sign(signWith === 'trusted' ? trusted.privateKey : stranger.privateKey);
    },
  };
}

/** A controllable clock: starts at T0, `set` / `advance` move it. */
export function testClock(start = T0) {
  let current = start;
  return {
    now: () => current,
    set(ms: number) {
      current = ms;
    },
    advance(ms: number) {
      current += ms;
    },
  };
}

export interface CallInit {
  method?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  token?: TokenOverrides;
}

export interface TestApi {
  app: ReturnType<typeof createDeviceApi>;
  clock: ReturnType<typeof testClock>;
  keys: TestKeys;
  /** GET/POST etc. with a fresh token minted at the clock's now (scope etc. overridable). */
  call(path: string, init?: CallInit): Promise<Response>;
  /**
   * Like `call`, but every request reuses one token minted now (valid 15 minutes of the clock), so
   * loops of thousands of requests do not spend their time signing tokens.
   */
  caller(
    token?: TokenOverrides,
  ): Promise<(path: string, init?: Omit<CallInit, 'token'>) => Promise<Response>>;
}

export async function createTestApi(
  options: Partial<DeviceApiOptions> = {},
  keys?: TestKeys,
  start = T0,
): Promise<TestApi> {
  const k = keys ?? (await createTestKeys());
  const clock = testClock(start);
  const app = createDeviceApi({
    issuer: ISSUER,
    audience: AUDIENCE,
    getKey: k.getKey,
    now: clock.now,
    ...options,
  });
  const send = (token: string, path: string, init: CallInit): Promise<Response> => {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...init.headers };
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['Content-Type'] ??= 'application/json';
    }
    return Promise.resolve(app.request(path, { method: init.method ?? 'GET', headers, body }));
  };
  return {
    app,
    clock,
    keys: k,
    async call(path, init = {}) {
      return send(await k.token(clock.now(), init.token), path, init);
    },
    async caller(overrides) {
      const token = await k.token(clock.now(), overrides);
      return (path, init = {}) => send(token, path, init);
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON and assert on it.
export type Json = any;

/** The parsed JSON body, typed loosely for assertions. */
export async function json(response: Response): Promise<Json> {
  return response.json();
}
