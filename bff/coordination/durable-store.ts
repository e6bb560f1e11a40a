import { mkdirSync } from 'node:fs';
import { open, type RootDatabase } from 'lmdb';
import { type CoordinationStore, MemoryCoordinationStore } from './coordination-store.ts';
import { isDurableKey } from './keys.ts';

interface StoredEntry {
  /** The value. */
  v: string;
  /** When it expires, epoch ms. */
  e: number;
}

const PURGE_EVERY_MS = 60 * 60 * 1000;

/**
 * The embedded default for one instance: the in-memory store on the hot path, every change written
 * through to an LMDB file under the data folder before the call resolves, and loaded back on start.
 * A cookie copied before a logout stays refused after a restart, and a refresh token rotated away
 * before it is never replayed. Locks (`isDurableKey`) stay in memory only. LMDB is a real embedded
 * database (memory-mapped, transactional, crash-safe), opened in milliseconds.
 */
export class DurableCoordinationStore implements CoordinationStore {
  readonly #memory: MemoryCoordinationStore;
  readonly #db: RootDatabase<StoredEntry, string>;
  readonly #purgeTimer: ReturnType<typeof setInterval>;

  private constructor(db: RootDatabase<StoredEntry, string>, memory: MemoryCoordinationStore) {
    this.#db = db;
    this.#memory = memory;
    this.#purgeTimer = setInterval(() => void this.#purge(), PURGE_EVERY_MS);
    this.#purgeTimer.unref();
  }

  /** Opens (or creates) the store in `folder` and loads its live entries. */
  static async open(
    folder: string,
    options: { maxEntries?: number } = {},
  ): Promise<DurableCoordinationStore> {
    mkdirSync(folder, { recursive: true });
    const db = open<StoredEntry, string>({ path: folder, compression: false });
    const memory = new MemoryCoordinationStore(options);
    const now = Date.now();
    for (const { key, value } of db.getRange()) {
      if (value.e > now) await memory.set(key, value.v, value.e - now);
    }
    const store = new DurableCoordinationStore(db, memory);
    await store.#purge();
    return store;
  }

  get(key: string): Promise<string | undefined> {
    return this.#memory.get(key);
  }

  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.#memory.getMany(keys);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#memory.set(key, value, ttlMs);
    if (isDurableKey(key)) await this.#db.put(key, { v: value, e: Date.now() + Math.max(1, ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const set = await this.#memory.setIfAbsent(key, value, ttlMs);
    if (set && isDurableKey(key)) await this.#db.put(key, { v: value, e: Date.now() + Math.max(1, ttlMs) });
    return set;
  }

  async delete(key: string): Promise<void> {
    await this.#memory.delete(key);
    if (isDurableKey(key)) await this.#db.remove(key);
  }

  /** Entries held in memory (the file may still hold expired ones until the next purge). */
  get size(): number {
    return this.#memory.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#purgeTimer);
    await this.#db.close();
  }

  /** Drops expired entries from the file, so it does not grow with every session ever ended. */
  async #purge(): Promise<void> {
    const now = Date.now();
    const expired: string[] = [];
    for (const { key, value } of this.#db.getRange()) if (value.e <= now) expired.push(key);
    if (expired.length === 0) return;
    await this.#db.transaction(() => {
      for (const key of expired) this.#db.remove(key);
    });
  }
}
