// Deterministic integer hashing for the simulated fleet: every property and reading is a pure
// function of its inputs, so two API instances (or a test and the API) always agree.

const TWO_POW_32 = 2 ** 32;

function mix(h: number, value: number): number {
  let k = Math.imul(value | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  const next = h ^ k;
  return (Math.imul((next << 13) | (next >>> 19), 5) + 0xe6546b64) | 0;
}

/** A 32-bit hash of integer inputs (murmur3-style). Inputs beyond 32 bits are split, not truncated. */
export function hash32(...values: readonly number[]): number {
  let h = 0x9747b28c;
  for (const value of values) {
    const int = Math.trunc(value);
    h = mix(h, int % TWO_POW_32);
    h = mix(h, Math.floor(int / TWO_POW_32));
  }
  h ^= values.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of a string's UTF-16 code units (FNV-1a), to feed text into hash32. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Uniform in [0, 1). */
export function unit(...values: readonly number[]): number {
  return hash32(...values) / TWO_POW_32;
}

/** Uniform in [min, max). */
export function between(min: number, max: number, ...values: readonly number[]): number {
  return min + (max - min) * unit(...values);
}

/** Uniform integer in [min, max]. */
export function intBetween(min: number, max: number, ...values: readonly number[]): number {
  return min + Math.floor((max - min + 1) * unit(...values));
}

/** Picks one element; the list must not be empty. */
export function pick<T>(items: readonly T[], ...values: readonly number[]): T {
  const item = items[Math.floor(items.length * unit(...values))];
  if (item === undefined) throw new RangeError('pick() needs a non-empty list');
  return item;
}

/**
 * Smooth value noise in [-1, 1]: random knots every `knotMs`, eased between them, so readings wander
 * plausibly instead of jumping from sample to sample.
 */
export function smoothNoise(seed: number, t: number, knotMs: number): number {
  const k = Math.floor(t / knotMs);
  const f = (t - k * knotMs) / knotMs;
  const a = unit(seed, k) * 2 - 1;
  const b = unit(seed, k + 1) * 2 - 1;
  const eased = f * f * (3 - 2 * f);
  return a + (b - a) * eased;
}
