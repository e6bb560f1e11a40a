import { MAX_COOKIE_BYTES } from './chunks.ts';

export interface ParsedSetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags such as `HttpOnly` map to `true`. */
  attributes: Record<string, string | true>;
}

/** Parses one Set-Cookie line (as from `Headers.getSetCookie()`); no decoding, no defaults. */
export function parseSetCookie(line: string): ParsedSetCookie {
  const [pair = '', ...rest] = line.split(';');
  const equals = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const raw of rest) {
    const item = raw.trim();
    if (item === '') continue;
    const at = item.indexOf('=');
    if (at === -1) attributes[item.toLowerCase()] = true;
    else attributes[item.slice(0, at).trim().toLowerCase()] = item.slice(at + 1).trim();
  }
  return {
    name: (equals === -1 ? pair : pair.slice(0, equals)).trim(),
    value: equals === -1 ? '' : pair.slice(equals + 1).trim(),
    attributes,
  };
}

const REQUIRED = { path: '/', httponly: true, secure: true, samesite: 'Strict' } as const;

/**
 * What is wrong with a session cookie line, by our cookie rules: `__Host-` name, `Secure`,
 * `HttpOnly`, `Path=/`, no `Domain`, `SameSite=Strict`, an integer `Max-Age`, nothing else, and the
 * line within 4096 bytes. An empty list means it is right; deletions (`Max-Age=0`) pass too.
 */
export function sessionCookieProblems(line: string): string[] {
  const { name, attributes } = parseSetCookie(line);
  const problems: string[] = [];
  if (!name.startsWith('__Host-')) problems.push(`name ${name} lacks the __Host- prefix`);
  for (const [attribute, expected] of Object.entries(REQUIRED)) {
    if (attributes[attribute] !== expected) {
      problems.push(`${attribute} is ${String(attributes[attribute])}, expected ${String(expected)}`);
    }
  }
  const maxAge = attributes['max-age'];
  if (typeof maxAge !== 'string' || !/^\d+$/.test(maxAge)) problems.push(`max-age is ${String(maxAge)}`);
  const allowed = new Set<string>([...Object.keys(REQUIRED), 'max-age']);
  for (const attribute of Object.keys(attributes)) {
    if (!allowed.has(attribute)) problems.push(`unexpected attribute ${attribute}`);
  }
  const bytes = new TextEncoder().encode(line).length;
  if (bytes > MAX_COOKIE_BYTES) problems.push(`line is ${bytes} bytes, over ${MAX_COOKIE_BYTES}`);
  return problems;
}
