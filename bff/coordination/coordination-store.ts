/**
 * Shared state between BFF instances: small string values under keys that expire. In memory for one
 * instance; the same contract maps onto Redis (SET key value PX ttl [NX], GET, DEL) when several
 * instances run. Sessions themselves never live here: they live in the cookie.
 */
export interface CoordinationStore {
  get(key: string): Promise<string | undefined>;
  /** Several keys in one round trip (Redis MGET): the per-request checks cost one. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only if absent (an atomic lock or a replay guard); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
}

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * The in-memory store. Expiry reads `Date.now()` at call time (tests mock Date). Bounded: expired
 * keys are swept as writes arrive, and past `maxEntries` the entries closest to expiry go first.
 */
export class MemoryCoordinationStore implements CoordinationStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  #writes = 0;

  constructor(options: { maxEntries?: number } = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(key)?.value;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.#live(key)?.value);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#write(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#write(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: Date.now() + Math.max(1, ttlMs) });
    if (++this.#writes % 1000 === 0 || this.#entries.size > this.#maxEntries) this.#sweep();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    if (this.#entries.size <= this.#maxEntries) return;
    const byExpiry = [...this.#entries].sort((a, b) => a[1].expiresAt - b[1].expiresAt);
    for (const [key] of byExpiry.slice(0, this.#entries.size - this.#maxEntries)) this.#entries.delete(key);
  }
}
