/** Why a `returnTo` was refused; stable, for logs and tests. */
export type ReturnToRejection =
  | 'too_long'
  | 'not_relative'
  | 'protocol_relative'
  | 'backslash'
  | 'control_or_whitespace'
  | 'invalid_percent_encoding'
  | 'too_deeply_encoded'
  | 'path_escape'
  | 'origin_change';

export type ReturnToResult = { ok: true; path: string } | { ok: false; reason: ReturnToRejection };

export const MAX_RETURN_TO_LENGTH = 2048;
/** Decoding rounds looked through; a value still changing after this many is refused. */
export const MAX_DECODE_ROUNDS = 4;

const BASE = 'http://app.invalid';
const BASE_ORIGIN = new URL(BASE).origin;

/** The raw value: printable ASCII only (a browser's `pathname + search + hash` is always that). */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;
/**
 * In a decoded form: controls, format characters (zero-width, bidi overrides), line breaks and every
 * space but U+0020. An encoded plain space (`?q=pump%20A`) is ordinary data and cannot move a URL
 * anywhere (the URL parser only strips spaces at the ends, and every form starts with `/`); tab, CR
 * and LF are removed anywhere by the URL parser, so `/%09/evil.com` would become `//evil.com`.
 */
const CONTROL_OR_WHITESPACE = /(?! )[\p{Cc}\p{Cf}\p{Z}\s]/u;
const VALID_PERCENT = /^(?:[^%]|%[0-9a-f]{2})*$/i;
const ASCII_PERCENT_TRIPLET = /%([0-7][0-9a-f])/gi;
const DOT = /^(?:\.|%2e)$/i;
const DOT_DOT = /^(?:\.|%2e){2}$/i;

/**
 * Accepts only a same-origin relative path for the post-login redirect and returns it normalised
 * (`pathname + search + hash`); missing or empty means `/`.
 *
 * `raw` is the value as the query parser hands it over (already decoded once). Every further
 * percent-decoding of it (up to {@link MAX_DECODE_ROUNDS}) is checked too, because some later
 * consumer (a proxy, a router, the browser) might decode it again: no decoded form may be
 * protocol-relative, hold a backslash, a control character or whitespace, climb above `/`, or
 * resolve to another origin.
 */
export function parseReturnTo(raw: string | undefined): ReturnToResult {
  if (raw === undefined || raw === '') return { ok: true, path: '/' };
  if (raw.length > MAX_RETURN_TO_LENGTH) return reject('too_long');
  if (raw.includes('\\')) return reject('backslash');
  if (!PRINTABLE_ASCII.test(raw)) return reject('control_or_whitespace');
  if (!raw.startsWith('/')) return reject('not_relative');
  if (!VALID_PERCENT.test(raw)) return reject('invalid_percent_encoding');
  try {
    decodeURIComponent(raw); // also refuses percent-encoded bytes that are not UTF-8
  } catch {
    return reject('invalid_percent_encoding');
  }

  const forms = decodedForms(raw);
  if (forms === undefined) return reject('too_deeply_encoded');
  let normalised: URL | undefined;
  for (const form of forms) {
    const checked = checkForm(form);
    if (typeof checked === 'string') return reject(checked);
    normalised ??= checked; // the first form is `raw` itself
  }
  if (normalised === undefined) return reject('origin_change'); // unreachable: forms[0] is raw

  const path = normalised.pathname + normalised.search + normalised.hash;
  if (path.length > MAX_RETURN_TO_LENGTH) return reject('too_long');
  return { ok: true, path };
}

function reject(reason: ReturnToRejection): ReturnToResult {
  return { ok: false, reason };
}

/**
 * `raw` and each successive decoding of it until it stops changing, or undefined if it still changes
 * after {@link MAX_DECODE_ROUNDS} rounds. A form that is not valid percent-encoding as a whole (say
 * `/100%` from `/100%25`) is not an error: it is decoded leniently, ASCII triplets only, so that
 * `%2F` hidden next to a stray `%` is still seen.
 */
function decodedForms(raw: string): string[] | undefined {
  const forms = [raw];
  let current = raw;
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    const next = decodeOnce(current);
    if (next === current) return forms;
    if (round === MAX_DECODE_ROUNDS) return undefined;
    forms.push(next);
    current = next;
  }
  return undefined;
}

function decodeOnce(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(ASCII_PERCENT_TRIPLET, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}

/** The problem with one (decoded) form, or its URL resolved against the app origin if none. */
function checkForm(form: string): ReturnToRejection | URL {
  if (form.includes('\\')) return 'backslash';
  if (CONTROL_OR_WHITESPACE.test(form)) return 'control_or_whitespace';
  if (!form.startsWith('/')) return 'not_relative';
  if (form.startsWith('//')) return 'protocol_relative';
  if (climbsAboveRoot(form)) return 'path_escape';
  let url: URL;
  try {
    url = new URL(form, BASE);
  } catch {
    return 'origin_change';
  }
  if (url.origin !== BASE_ORIGIN) return 'origin_change';
  // `/a/..//evil.com` and `/.//evil.com` normalise to the path `//evil.com`, which a browser would
  // read as protocol-relative in a Location header.
  if (url.pathname.startsWith('//')) return 'protocol_relative';
  return url;
}

/** True if a `..` segment (also spelt `%2e%2e`, `.%2e`) would go above `/`. */
function climbsAboveRoot(form: string): boolean {
  const end = form.search(/[?#]/);
  const segments = (end === -1 ? form : form.slice(0, end)).split('/').slice(1);
  let depth = 0;
  for (const segment of segments) {
    if (DOT_DOT.test(segment)) {
      if (depth === 0) return true;
      depth--;
    } else if (!DOT.test(segment)) {
      depth++;
    }
  }
  return false;
}
