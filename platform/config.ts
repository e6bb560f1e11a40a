import { z } from 'zod';

/** Why the platform refused to start: names the variable so an operator can fix it at once. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
}

const seconds = (fallback: number) => z.coerce.number().int().min(1).max(31_536_000).default(fallback);
const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
// Command timings of the simulated devices: fractional seconds so tests can run them fast, 0 for instant.
const decimal = (max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,7}(\.\d{1,6})?$/, `must be a decimal number from 0 to ${max}, such as 0.5`)
    .transform(Number)
    .pipe(z.number().max(max, `must be a decimal number from 0 to ${max}, such as 0.5`))
    .default(fallback);
const commandSeconds = (fallback: number) => decimal(3600, fallback);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ''));
const secret = z.string().min(16, 'must be at least 16 characters');

const platformEnvSchema = z.object({
  PLATFORM_HOST: z.string().min(1).default('127.0.0.1'),
  AUTH_PORT: port(4000),
  API_PORT: port(4100),
  /** Defaults to http://<PLATFORM_HOST>:<AUTH_PORT>; set it when the server sits behind a proxy. */
  AUTH_ISSUER: httpUrl.optional(),
  APP_URL: httpUrl.default('http://localhost:3000'),
  AUTH_ACCESS_TOKEN_TTL: seconds(900),
  AUTH_REFRESH_TOKEN_IDLE_TTL: seconds(1800),
  AUTH_REFRESH_TOKEN_ABSOLUTE_TTL: seconds(7200),
  AUTH_SESSION_TTL: seconds(43_200),
  AUTH_ROTATE_REFRESH_TOKENS: flag(true),
  /** `lenient` behaves like a less strict real provider, so the BFF is tested against both. */
  AUTH_PROFILE: z.enum(['strict', 'lenient']).default('strict'),
  AUTH_BFF_CLIENT_ID: z.string().min(1).default('iot-bff'),
  AUTH_BFF_CLIENT_SECRET: secret.default('dev-only-bff-secret-change-me'),
  AUTH_AUTOMATION_CLIENT_ID: z.string().min(1).default('iot-automation'),
  AUTH_AUTOMATION_CLIENT_SECRET: secret.default('dev-only-automation-secret-change-me'),
  API_AUDIENCE: z.string().min(1).default('urn:iot:device-api'),
  API_FLEET_SIZE: z.coerce.number().int().min(1).max(10_000).default(120),
  API_EXPIRED_TOKEN_STYLE: z.enum(['bearer', 'facebook']).default('bearer'),
  API_FIRMWARE_UPDATE_SECONDS: commandSeconds(20),
  /** Share of devices whose update to a given version fails. */
  API_FIRMWARE_FAILURE_RATE: decimal(1, 0.05),
  API_REBOOT_SECONDS: commandSeconds(30),
  API_RECALIBRATE_SECONDS: commandSeconds(10),
  /** Development endpoints (/dev/stats, /dev/faults) and loopback back-channel logout. */
  PLATFORM_DEMO: flag(true),
  DATA_DIR: z.string().min(1).default('.data'),
});

export type AuthProfile = 'strict' | 'lenient';

export interface PlatformConfig {
  host: string;
  authPort: number;
  apiPort: number;
  /** Undefined means: derive from host and the port actually bound (lets tests use port 0). */
  issuer: string | undefined;
  appUrl: string;
  accessTokenTtl: number;
  refreshTokenIdleTtl: number;
  refreshTokenAbsoluteTtl: number;
  sessionTtl: number;
  /** Only the strict profile rotates refresh tokens (and then only if this is true). */
  rotateRefreshTokens: boolean;
  /**
   * `strict`: rotation, revocation, `iss` in authorization responses, `name` and `roles` in the ID
   * token, `client_secret_basic`. `lenient`: none of that; see platform/auth/profile.ts.
   */
  authProfile: AuthProfile;
  bffClient: { id: string; secret: string };
  automationClient: { id: string; secret: string };
  apiAudience: string;
  fleetSize: number;
  expiredTokenStyle: 'bearer' | 'facebook';
  /** Command timings of the simulated devices, ms (the variables are in seconds). */
  firmwareUpdateMs: number;
  rebootMs: number;
  recalibrateMs: number;
  /** 0..1 */
  firmwareFailureRate: number;
  demo: boolean;
  dataDir: string;
}

/** Parses the platform's environment once, at startup; throws a ConfigError naming each bad variable. */
export function loadPlatformConfig(env: Record<string, string | undefined>): PlatformConfig {
  const parsed = platformEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid platform configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    host: e.PLATFORM_HOST,
    authPort: e.AUTH_PORT,
    apiPort: e.API_PORT,
    issuer: e.AUTH_ISSUER,
    appUrl: e.APP_URL,
    accessTokenTtl: e.AUTH_ACCESS_TOKEN_TTL,
    refreshTokenIdleTtl: e.AUTH_REFRESH_TOKEN_IDLE_TTL,
    refreshTokenAbsoluteTtl: e.AUTH_REFRESH_TOKEN_ABSOLUTE_TTL,
    sessionTtl: e.AUTH_SESSION_TTL,
    rotateRefreshTokens: e.AUTH_ROTATE_REFRESH_TOKENS,
    authProfile: e.AUTH_PROFILE,
    bffClient: { id: e.AUTH_BFF_CLIENT_ID, secret: e.AUTH_BFF_CLIENT_SECRET },
    automationClient: { id: e.AUTH_AUTOMATION_CLIENT_ID, secret: e.AUTH_AUTOMATION_CLIENT_SECRET },
    apiAudience: e.API_AUDIENCE,
    fleetSize: e.API_FLEET_SIZE,
    expiredTokenStyle: e.API_EXPIRED_TOKEN_STYLE,
    firmwareUpdateMs: Math.round(e.API_FIRMWARE_UPDATE_SECONDS * 1000),
    rebootMs: Math.round(e.API_REBOOT_SECONDS * 1000),
    recalibrateMs: Math.round(e.API_RECALIBRATE_SECONDS * 1000),
    firmwareFailureRate: e.API_FIRMWARE_FAILURE_RATE,
    demo: e.PLATFORM_DEMO,
    dataDir: e.DATA_DIR,
  };
}
