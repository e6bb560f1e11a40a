export type UpstreamUrlResult = { ok: true; url: URL } | { ok: false; reason: string };

const UNSAFE_SEGMENT = {
  ok: false,
  reason: 'The API path may not contain empty, dot or encoded-slash segments',
} as const;

/**
 * Maps `/api/<rest>?<query>` onto the configured upstream base, refusing anything that could leave
 * it: dot segments (also percent-encoded), encoded slashes or backslashes, empty segments. The base
 * is parsed once; this runs on every proxied request.
 */
export function createUpstreamUrlMapper(upstream: string): (requestUrl: string) => UpstreamUrlResult {
  const base = new URL(upstream.endsWith('/') ? upstream : `${upstream}/`);
  return (requestUrl) => {
    // The URL parser has already resolved dot segments (also %2e%2e): what is left must still be /api/….
    const { pathname, search } = new URL(requestUrl);
    if (!pathname.startsWith('/api/')) {
      return { ok: false, reason: pathname === '/api' ? 'No API path given' : 'The path left /api/' };
    }
    const rest = pathname.slice('/api/'.length);
    if (rest === '') return { ok: false, reason: 'No API path given' };
    for (const segment of rest.split('/')) {
      if (segment === '' || segment.includes('\\')) return UNSAFE_SEGMENT;
      if (!segment.includes('%')) {
        if (segment === '.' || segment === '..') return UNSAFE_SEGMENT;
        continue;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return { ok: false, reason: 'Malformed percent-encoding in the path' };
      }
      if (decoded === '.' || decoded === '..' || /[/\\]/.test(decoded)) return UNSAFE_SEGMENT;
    }
    const url = new URL(rest + search, base);
    if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
      return { ok: false, reason: 'The API path leaves the configured upstream' };
    }
    return { ok: true, url };
  };
}
