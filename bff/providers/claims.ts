/**
 * Reads a claim by path: the whole path as one claim name first (namespaced claims such as
 * `https://example.com/roles` contain dots), then as a dotted path into nested objects.
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The first non-empty string found at any of the paths. */
export function stringClaim(claims: Record<string, unknown>, paths: readonly string[]): string | undefined {
  for (const path of paths) {
    const value = claimAt(claims, path);
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

/**
 * Roles at the first path that has any: an array of strings, or one string (space- or
 * comma-separated lists are split). Undefined when no path is present, so the caller can look
 * elsewhere (userinfo); an empty list when present but empty.
 */
export function rolesClaim(claims: Record<string, unknown>, paths: readonly string[]): string[] | undefined {
  for (const path of paths) {
    const value = claimAt(claims, path);
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
    if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  }
  return undefined;
}
