/**
 * Structured audit log: one JSON line per event. Values are ids, codes, counts and durations; a field
 * whose name says token or secret is refused, so a token cannot slip into a log line by mistake.
 */
export type AuditEvent =
  | 'sign_in'
  | 'sign_in_failed'
  | 'logout'
  | 'backchannel_logout'
  | 'backchannel_logout_rejected'
  | 'session_ended'
  | 'refresh'
  | 'refresh_failed'
  | 'stale_refresh_token'
  | 'config_error';

export type AuditFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface AuditLog {
  record(event: AuditEvent, fields?: AuditFields): void;
}

const FORBIDDEN_FIELD = /token|secret|password|cookie|code_verifier|authorization/i;

export function auditLine(event: AuditEvent, fields: AuditFields, now = new Date()): string {
  const safe: AuditFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (FORBIDDEN_FIELD.test(key)) throw new Error(`audit field "${key}" may not be logged`);
    if (value !== undefined) safe[key] = value;
  }
  return JSON.stringify({ time: now.toISOString(), level: 'audit', event, ...safe });
}

/** Writes to a sink (stdout by default); tests pass an array's push. */
export function createAuditLog(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): AuditLog {
  return { record: (event, fields = {}) => write(auditLine(event, fields)) };
}
