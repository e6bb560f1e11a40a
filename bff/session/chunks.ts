/**
 * Browsers keep at most 4096 bytes of name and value per cookie. We hold the whole Set-Cookie line
 * (attributes included) to that, a little stricter, so no reading of the limit can truncate a chunk.
 */
export const MAX_COOKIE_BYTES = 4096;

/** One digit of chunk count in the first value keeps the format trivial; 9 × 4 KB is far past any server's header limit anyway. */
export const MAX_CHUNKS_LIMIT = 9;

/** `bff_session`, `bff_session.1`, `bff_session.2`, … (works for prefixed names too). */
export function chunkCookieName(baseName: string, index: number): string {
  return index === 0 ? baseName : `${baseName}.${index}`;
}

/** Names in `names` that look like chunks of `baseName` (`<baseName>.<digits>`). */
export function chunkNamesAmong(names: Iterable<string>, baseName: string): string[] {
  const prefix = `${baseName}.`;
  return [...names].filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)));
}

/**
 * Splits a seal over as few cookie values as fit, at most `maxChunks`. The first value starts with the
 * count (`3~…`), so a reader takes exactly the chunks one write made: a lost chunk is noticed and a
 * leftover one from a longer, older session is never glued on. `room(index)` is how many bytes the
 * value of cookie `index` may take. Undefined when the seal does not fit.
 */
export function splitSeal(
  sealed: string,
  room: (index: number) => number,
  maxChunks: number,
): string[] | undefined {
  for (let count = 1; count <= Math.min(maxChunks, MAX_CHUNKS_LIMIT); count++) {
    const prefix = `${count}~`;
    const sizes = Array.from(
      { length: count },
      (_, index) => room(index) - (index === 0 ? prefix.length : 0),
    );
    if (sizes.some((size) => size <= 0)) return undefined;
    if (sizes.reduce((sum, size) => sum + size, 0) < sealed.length) continue;
    const values: string[] = [];
    let offset = 0;
    sizes.forEach((size, index) => {
      values.push((index === 0 ? prefix : '') + sealed.slice(offset, offset + size));
      offset += size;
    });
    return values;
  }
  return undefined;
}

/**
 * Reassembles a seal from the request's cookies (keyed by full name), or undefined when the count is
 * malformed or above `maxChunks`, a chunk is missing or empty, or one cookie is over the size limit.
 * Chunks beyond the declared count are ignored here (the integrity check covers what is used); the
 * next write deletes them.
 */
export function joinSeal(
  cookies: Readonly<Record<string, string | undefined>>,
  baseName: string,
  maxChunks: number,
): string | undefined {
  const first = cookies[baseName];
  const match = first === undefined ? null : /^([1-9])~/.exec(first);
  if (first === undefined || match === null) return undefined;
  const count = Number(match[1]);
  if (count > maxChunks) return undefined;
  const parts: string[] = [];
  for (let index = 0; index < count; index++) {
    const name = chunkCookieName(baseName, index);
    const value = index === 0 ? first : cookies[name];
    if (value === undefined || name.length + 1 + value.length > MAX_COOKIE_BYTES) return undefined;
    const part = index === 0 ? value.slice(match[0].length) : value;
    if (part === '') return undefined;
    parts.push(part);
  }
  return parts.join('');
}
