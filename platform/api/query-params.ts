// Strict parsing of query parameters: anything present but wrong is a 400 invalid_query naming the
// parameter. Empty values count as absent (forms send them); repeated parameters are refused.
import { badQuery } from './api-error.ts';

export class QueryParams {
  readonly #params: URLSearchParams;

  constructor(url: string) {
    this.#params = new URL(url).searchParams;
  }

  string(name: string, maxLength = 200): string | undefined {
    const values = this.#params.getAll(name);
    if (values.length > 1) throw badQuery(`${name} may be given only once`);
    const value = values[0];
    if (value === undefined || value === '') return undefined;
    if (value.length > maxLength) throw badQuery(`${name} must be at most ${maxLength} characters`);
    return value;
  }

  integer(name: string, range: { min: number; max: number }): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = /^-?\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
      throw badQuery(`${name} must be an integer from ${range.min} to ${range.max}`);
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(raw))
      throw badQuery(`${name} must be one of ${allowed.join(', ')}`);
    return raw as T;
  }

  /** A comma-separated list of allowed values, e.g. `status=degraded,offline`. */
  listOf<T extends string>(name: string, allowed: readonly T[]): T[] | undefined {
    const raw = this.string(name, 2_000);
    if (raw === undefined) return undefined;
    const values = raw.split(',').map((v) => v.trim());
    for (const value of values) {
      if (!(allowed as readonly string[]).includes(value)) {
        throw badQuery(`${name} must be a comma-separated list of ${allowed.join(', ')}`);
      }
    }
    return [...new Set(values)] as T[];
  }

  /** A comma-separated list of at most `maxItems` values, trimmed, duplicates dropped; checked by the caller. */
  list(name: string, maxItems: number, maxItemLength: number): string[] | undefined {
    // Room for every item, its comma and some spaces; anything longer is too long anyway.
    const raw = this.string(name, maxItems * (maxItemLength + 3));
    if (raw === undefined) return undefined;
    const values = raw.split(',').map((v) => v.trim());
    if (values.length > maxItems) throw badQuery(`${name} may list at most ${maxItems} values`);
    return [...new Set(values)];
  }

  boolean(name: string): boolean | undefined {
    const raw = this.oneOf(name, ['true', 'false']);
    return raw === undefined ? undefined : raw === 'true';
  }

  /** An ISO 8601 date-time with a zone (`Z` or ±hh:mm) or epoch milliseconds. */
  timestamp(name: string): number | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const value = parseTimestamp(raw);
    if (value === undefined) {
      throw badQuery(`${name} must be an ISO 8601 date-time with a time zone, or epoch milliseconds`);
    }
    return value;
  }
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/;
// Year 2000 to 2200: the simulation has nothing before or after, and it keeps numbers sane.
const MIN_TIMESTAMP = Date.UTC(2000, 0, 1);
const MAX_TIMESTAMP = Date.UTC(2200, 0, 1);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseTimestamp(raw: string): number | undefined {
  let value: number;
  if (/^\d{1,15}$/.test(raw)) {
    value = Number(raw);
  } else {
    const m = ISO_DATE_TIME.exec(raw);
    if (!m) return undefined;
    const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = [
      m[1],
      m[2],
      m[3],
      m[4],
      m[5],
      m[6] ?? '0',
      m[8] ?? '0',
      m[9] ?? '0',
    ].map(Number) as [number, number, number, number, number, number, number, number];
    // Date.parse rolls 2024-02-30 over to March; refuse impossible dates instead.
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return undefined;
    value = Date.parse(raw);
  }
  return Number.isFinite(value) && value >= MIN_TIMESTAMP && value <= MAX_TIMESTAMP ? value : undefined;
}
