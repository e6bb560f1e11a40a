/**
 * Test tables for `returnTo`, shared by the unit tests and the BFF's integration tests.
 *
 * The strings are the value `parseReturnTo` receives, i.e. after the query string was decoded once:
 * put them into a URL with `?returnTo=${encodeURIComponent(value)}`.
 */

/** Every one of these must be refused: the login must never redirect off the app's origin. */
export const OPEN_REDIRECT_ATTEMPTS: readonly string[] = [
  // Absolute URLs and other schemes
  'https://evil.com',
  'http://evil.com/devices',
  'HTTPS://evil.com',
  'https:evil.com',
  'https:/evil.com',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'evil.com',
  'devices',
  '../devices',
  '%2F%2Fevil.com',
  '%2fdevices',
  // Protocol-relative
  '//evil.com',
  '///evil.com',
  '////evil.com',
  '//evil.com/devices',
  '//@evil.com',
  '//',
  // Backslashes (browsers read `\` as `/` in special URLs)
  '/\\evil.com',
  '\\\\evil.com',
  '\\/evil.com',
  '/\\/evil.com',
  '/devices\\..\\..\\evil.com',
  '/devices?next=\\evil.com',
  // Percent-encoded slashes and backslashes, once or several times
  '/%2F%2Fevil.com',
  '/%2fevil.com',
  '/%2F',
  '/%5Cevil.com',
  '/%5c%5cevil.com',
  '/%252F%252Fevil.com',
  '/%252fevil.com',
  '/%255Cevil.com',
  '/%25252F%25252Fevil.com',
  '/%2525252525252Fevil.com',
  '/%25%32%46evil.com',
  // Control characters and whitespace, raw and encoded
  '/\t/evil.com',
  '/\n/evil.com',
  '/\r\n/evil.com',
  ' //evil.com',
  '/devices ',
  '/\u0000',
  '/%09/evil.com',
  '/%0a/evil.com',
  '/%0d%0aLocation:%20https://evil.com',
  '/%00',
  '/%7F',
  '/%C2%A0/evil.com',
  '/%E2%80%A8/evil.com',
  '/%E2%80%AEmoc.live',
  '/%EF%BB%BF/evil.com',
  '/%250a/evil.com',
  '/devices#%0d%0a',
  '/\u3000/evil.com',
  '/\uff0f\uff0fevil.com',
  // Dot segments that climb above the root or collapse into `//`
  '/../evil.com',
  '/../../etc/passwd',
  '/%2e%2e/evil.com',
  '/.%2E/evil.com',
  '/%2e%2e%2f%2e%2e%2fevil.com',
  '/%252e%252e/evil.com',
  '/a/..//evil.com',
  '/.//evil.com',
  '/a/%2e%2e//evil.com',
  '/a/b/../..//evil.com',
  // Malformed percent-encoding
  '/%',
  '/%2',
  '/%zz',
  '/%FF',
  '/%C0%AF',
  '/%ED%A0%80',
  // Too long
  `/${'a'.repeat(2048)}`,
];

/** Same-origin relative paths that must be accepted, with the path the login redirects to. */
export const SAFE_RETURN_TO_CASES: readonly { raw: string | undefined; path: string }[] = [
  { raw: undefined, path: '/' },
  { raw: '', path: '/' },
  { raw: '/', path: '/' },
  { raw: '/devices/dev-0001?range=6h#chart', path: '/devices/dev-0001?range=6h#chart' },
  { raw: '/alerts?state=open&severity=critical', path: '/alerts?state=open&severity=critical' },
  { raw: '/a/../b', path: '/b' },
  { raw: '/a/./b', path: '/a/b' },
  { raw: '/a/b/../../c', path: '/c' },
  { raw: '/devices?q=pump%20A', path: '/devices?q=pump%20A' },
  { raw: '/devices?next=/alerts', path: '/devices?next=/alerts' },
  { raw: '/devices?next=%2F%2Fnot-at-the-start', path: '/devices?next=%2F%2Fnot-at-the-start' },
  { raw: '/caf%C3%A9', path: '/caf%C3%A9' },
  { raw: '/100%25', path: '/100%25' },
  { raw: '/a<b>', path: '/a%3Cb%3E' },
  { raw: '/@evil.com', path: '/@evil.com' },
  { raw: '/http://evil.com', path: '/http://evil.com' },
  { raw: '/devices?', path: '/devices' },
  { raw: `/${'a'.repeat(2047)}`, path: `/${'a'.repeat(2047)}` },
];
