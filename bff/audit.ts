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
  | 'revocation_unsupported'
  | 'service_account_token'
  | 'service_account_token_failed'
  | 'job_started'
  | 'job_cancelled'
  | 'job_resumed'
  | 'config_error';

/** Any field may be given, `requestId` included; see FORBIDDEN_FIELD for the names refused. */
export type AuditFields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

export interface AuditLog {
  record(event: AuditEvent, fields?: AuditFields): void;
}

/** The log `createAuditLog` makes: it holds counts of repeated events until their interval ends. */
export interface AggregatingAuditLog extends AuditLog {
  /** Writes the summary of every open interval now and starts afresh (call it on shutdown). */
  flush(): void;
}

/** Starts calling `sweep` every `everyMs`; returns how to stop it. */
export type AuditTimer = (sweep: () => void, everyMs: number) => () => void;

export interface AuditLogOptions {
  /** Clock in ms, for line times and intervals. Default `Date.now`. */
  now?: () => number;
  /** Aggregation interval in ms; 0 writes every line. Default 60 000. */
  intervalMs?: number;
  /** Most sources tracked at once; past it, new sources of an event share one window. Default 10 000. */
  maxKeys?: number;
  /** Default: an unref'd `setInterval`, so a pending summary never keeps the process alive. */
  startTimer?: AuditTimer;
}

export const AUDIT_LOG_DEFAULTS = { intervalMs: 60_000, maxKeys: 10_000 } as const;

const FORBIDDEN_FIELD = /token|secret|password|cookie|code_verifier|authorization/i;
/**
 * Fields that differ between occurrences from the same source (request ids, durations, times): left
 * out of the aggregation key, and out of the summary line.
 */
const VOLATILE_FIELD = /^requestId$|(?:Ms|Seconds|At)$/;

function checkedFields(fields: AuditFields): AuditFields {
  const safe: AuditFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (FORBIDDEN_FIELD.test(key)) throw new Error(`audit field "${key}" may not be logged`);
    if (value !== undefined) safe[key] = value;
  }
  return safe;
}

export function auditLine(event: AuditEvent, fields: AuditFields, now = new Date()): string {
  return JSON.stringify({ time: now.toISOString(), level: 'audit', event, ...checkedFields(fields) });
}

const unrefInterval: AuditTimer = (sweep, everyMs) => {
  const handle = setInterval(sweep, everyMs);
  handle.unref();
  return () => clearInterval(handle);
};

/** One (event, source) pair's interval: its first line is written, later ones are counted. */
interface Window {
  event: AuditEvent;
  /** The identifying fields, for the summary line. */
  fields: AuditFields;
  startedAt: number;
  repeated: number;
  overflow: boolean;
}

/**
 * Writes to a sink (stdout by default); tests pass an array's push.
 *
 * Repeats are aggregated so unauthenticated traffic cannot flood the log: the first occurrence of an
 * event from a source in an interval is written at once, further ones are counted and written as one
 * summary line (`repeated: n, intervalSeconds, since`) when the interval ends. The source is the event
 * plus every field except the volatile ones (VOLATILE_FIELD). A summary is written when the timer
 * sweeps after the interval, when the source recurs after it, or on `flush()`.
 */
export function createAuditLog(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  options: AuditLogOptions = {},
): AggregatingAuditLog {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? AUDIT_LOG_DEFAULTS.intervalMs;
  const maxKeys = options.maxKeys ?? AUDIT_LOG_DEFAULTS.maxKeys;
  const startTimer = options.startTimer ?? unrefInterval;
  if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new RangeError('audit intervalMs must be ≥ 0');
  if (!Number.isInteger(maxKeys) || maxKeys < 1)
    throw new RangeError('audit maxKeys must be a positive integer');

  const windows = new Map<string, Window>();
  /** Windows of sources past `maxKeys`, one per event, so memory stays bounded. */
  const overflow = new Map<AuditEvent, Window>();
  let stopTimer: (() => void) | undefined;

  const close = (window: Window, at: number) => {
    if (window.repeated === 0) return;
    write(
      auditLine(
        window.event,
        {
          ...window.fields,
          repeated: window.repeated,
          intervalSeconds: intervalMs / 1000,
          since: new Date(window.startedAt).toISOString(),
          ...(window.overflow ? { overflow: true } : {}),
        },
        new Date(at),
      ),
    );
  };

  const sweep = (all: boolean) => {
    const at = now();
    for (const table of [windows, overflow] as Map<unknown, Window>[]) {
      for (const [key, window] of table) {
        if (!all && at - window.startedAt < intervalMs) continue;
        close(window, at);
        table.delete(key);
      }
    }
    if (windows.size === 0 && overflow.size === 0) {
      stopTimer?.();
      stopTimer = undefined;
    }
  };

  const open = (event: AuditEvent, fields: AuditFields, at: number, isOverflow: boolean): Window => {
    stopTimer ??= startTimer(() => sweep(false), intervalMs);
    return { event, fields, startedAt: at, repeated: 0, overflow: isOverflow };
  };

  return {
    record(event, fields = {}) {
      const safe = checkedFields(fields);
      const at = now();
      const line = () => write(auditLine(event, safe, new Date(at)));
      if (intervalMs === 0) return line();

      const identifying = Object.fromEntries(
        Object.entries(safe)
          .filter(([name]) => !VOLATILE_FIELD.test(name))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
      const key = JSON.stringify([event, identifying]);
      let window = windows.get(key);
      // Ended but not yet swept: its summary comes before this occurrence's line.
      if (window && at - window.startedAt >= intervalMs) {
        close(window, at);
        windows.delete(key);
        window = undefined;
      }
      if (window) {
        window.repeated++;
        return;
      }
      if (windows.size < maxKeys) {
        windows.set(key, open(event, identifying, at, false));
        return line();
      }
      // Too many sources at once: count this one under its event, without its identifying fields.
      let shared = overflow.get(event);
      if (shared && at - shared.startedAt >= intervalMs) {
        close(shared, at);
        overflow.delete(event);
        shared = undefined;
      }
      if (shared) {
        shared.repeated++;
        return;
      }
      overflow.set(event, open(event, {}, at, true));
      return line();
    },
    flush: () => sweep(true),
  };
}
