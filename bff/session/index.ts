export { MAX_COOKIE_BYTES } from './chunks.ts';
export type { SealPasswords } from './passwords.ts';
export {
  SESSION_COOKIE_DEFAULTS,
  type SealOptions,
  SessionCookieCodec,
  type SessionCookieOptions,
} from './session-cookie.ts';
export { type SessionData, sessionDataSchema } from './session-data.ts';
export { type ParsedSetCookie, parseSetCookie, sessionCookieProblems } from './set-cookie.ts';
