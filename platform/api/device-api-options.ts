// Options of createDeviceApi, with defaults and validation: a misconfigured API fails at startup with
// a clear message instead of misbehaving per request.
import type { JWTVerifyGetKey } from 'jose';
import type { ExpiredTokenStyle, TokenCheckOutcome } from './access-token.ts';
import { DEFAULT_COMMAND_DURATION_MS, DEFAULT_FIRMWARE_FAILURE_RATE } from './commands.ts';
import { DEFAULT_FLEET_SIZE, MAX_FLEET_SIZE, MIN_FLEET_SIZE } from './fleet.ts';

export interface DeviceApiOptions {
  /** Expected `iss` of access tokens. */
  issuer: string;
  /** Expected `aud`; callers default to 'urn:iot:device-api'. */
  audience: string;
  /** Production: jose.createRemoteJWKSet(new URL(jwks_uri)). */
  getKey: JWTVerifyGetKey;
  /** Number of simulated devices, 1..10000; default 120. */
  fleetSize?: number;
  /** How long a firmware update takes, ms, 0..3,600,000; default 20,000. 0 completes it at once. */
  firmwareUpdateMs?: number;
  /** Share of devices whose update to a given version fails, 0..1; default 0.05. */
  firmwareFailureRate?: number;
  /** How long a reboot takes, ms, 0..3,600,000; default 30,000. */
  rebootMs?: number;
  /** How long a recalibration takes, ms, 0..3,600,000; default 10,000. */
  recalibrateMs?: number;
  /** How an expired token is answered: RFC 6750 401 (default) or Facebook's 400. */
  expiredTokenStyle?: ExpiredTokenStyle;
  /** Allowed clock skew for exp/nbf/iat, seconds; default 5. */
  clockToleranceSeconds?: number;
  /** Clock in epoch ms; default Date.now. */
  now?: () => number;
  /** Realm in WWW-Authenticate challenges; default 'iot-device-api'. */
  realm?: string;
  /**
   * Told what became of each request's access token ('accepted', 'expired', 'missing', …), e.g. for
   * development counters; default: nobody.
   */
  onTokenCheck?: (outcome: TokenCheckOutcome) => void;
}

export type ResolvedDeviceApiOptions = Required<DeviceApiOptions>;

export const DEFAULT_AUDIENCE = 'urn:iot:device-api';
export const DEFAULT_REALM = 'iot-device-api';
const MAX_CLOCK_TOLERANCE_SECONDS = 600;
export const MAX_COMMAND_DURATION_MS = 3_600_000;

function nonEmptyString(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new TypeError(`${name} must be a non-empty string`);
  return value;
}

function commandDurationMs(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_COMMAND_DURATION_MS) {
    throw new RangeError(
      `${name} must be an integer from 0 to ${MAX_COMMAND_DURATION_MS} (milliseconds), got ${String(ms)}`,
    );
  }
  return ms;
}

export function resolveDeviceApiOptions(options: DeviceApiOptions): ResolvedDeviceApiOptions {
  const issuer = nonEmptyString('issuer', options.issuer);
  const audience = nonEmptyString('audience', options.audience);
  if (typeof options.getKey !== 'function')
    throw new TypeError('getKey must be a jose JWTVerifyGetKey function');

  const fleetSize = options.fleetSize ?? DEFAULT_FLEET_SIZE;
  if (!Number.isInteger(fleetSize) || fleetSize < MIN_FLEET_SIZE || fleetSize > MAX_FLEET_SIZE) {
    throw new RangeError(
      `fleetSize must be an integer from ${MIN_FLEET_SIZE} to ${MAX_FLEET_SIZE}, got ${String(fleetSize)}`,
    );
  }

  const firmwareUpdateMs = commandDurationMs(
    'firmwareUpdateMs',
    options.firmwareUpdateMs,
    DEFAULT_COMMAND_DURATION_MS['firmware-update'],
  );
  const rebootMs = commandDurationMs('rebootMs', options.rebootMs, DEFAULT_COMMAND_DURATION_MS.reboot);
  const recalibrateMs = commandDurationMs(
    'recalibrateMs',
    options.recalibrateMs,
    DEFAULT_COMMAND_DURATION_MS.recalibrate,
  );
  const firmwareFailureRate = options.firmwareFailureRate ?? DEFAULT_FIRMWARE_FAILURE_RATE;
  if (!Number.isFinite(firmwareFailureRate) || firmwareFailureRate < 0 || firmwareFailureRate > 1) {
    throw new RangeError(`firmwareFailureRate must be from 0 to 1, got ${String(firmwareFailureRate)}`);
  }

  const expiredTokenStyle = options.expiredTokenStyle ?? 'bearer';
  if (expiredTokenStyle !== 'bearer' && expiredTokenStyle !== 'facebook') {
    throw new RangeError(
      `expiredTokenStyle must be 'bearer' or 'facebook', got ${String(expiredTokenStyle)}`,
    );
  }

  const clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
  if (
    !Number.isFinite(clockToleranceSeconds) ||
    clockToleranceSeconds < 0 ||
    clockToleranceSeconds > MAX_CLOCK_TOLERANCE_SECONDS
  ) {
    throw new RangeError(
      `clockToleranceSeconds must be from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}, got ${String(clockToleranceSeconds)}`,
    );
  }

  // Read Date.now at call time, so tests that mock Date (vi.setSystemTime) move this clock too.
  const now = options.now ?? (() => Date.now());
  if (typeof now !== 'function') throw new TypeError('now must be a function returning epoch milliseconds');

  // The realm goes into a quoted-string of WWW-Authenticate: printable ASCII without " or \.
  const realm = options.realm ?? DEFAULT_REALM;
  if (typeof realm !== 'string' || !/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(realm)) {
    throw new TypeError('realm must be 1 to 100 printable ASCII characters without " or \\');
  }

  const onTokenCheck = options.onTokenCheck ?? (() => {});
  if (typeof onTokenCheck !== 'function') throw new TypeError('onTokenCheck must be a function');

  return {
    issuer,
    audience,
    getKey: options.getKey,
    fleetSize,
    firmwareUpdateMs,
    firmwareFailureRate,
    rebootMs,
    recalibrateMs,
    expiredTokenStyle,
    clockToleranceSeconds,
    now,
    realm,
    onTokenCheck,
  };
}
