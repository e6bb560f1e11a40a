/**
 * Maps `/api/<rest>?<query>` onto the configured upstream, refusing anything that could leave it: dot
 * segments (also percent-encoded), encoded slashes or backslashes, empty segments.
 */
export function upstreamUrl(
  upstream: string,
  requestUrl: string,
): { ok: true; url: URL } | { ok: false; reason: string } {
  // The URL parser has already resolved dot segments (also %2e%2e): what is left must still be /api/….
  const { pathname, search } = new URL(requestUrl);
  if (!/^\/api(\/|$)/.test(pathname)) return { ok: false, reason: 'The path left /api/' };
  const rest = pathname.slice('/api'.length);
  if (!rest.startsWith('/') || rest === '/') return { ok: false, reason: 'No API path given' };
  const segments = rest.slice(1).split('/');
  for (const segment of segments) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { ok: false, reason: 'Malformed percent-encoding in the path' };
    }
    if (
      segment === '' ||
      decoded === '.' ||
      decoded === '..' ||
      /[/\\]/.test(decoded) ||
      segment.includes('\\')
    ) {
      return { ok: false, reason: 'The API path may not contain empty, dot or encoded-slash segments' };
    }
  }
  const base = new URL(upstream.endsWith('/') ? upstream : `${upstream}/`);
  const url = new URL(rest.slice(1) + search, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    return { ok: false, reason: 'The API path leaves the configured upstream' };
  }
  return { ok: true, url };
}
