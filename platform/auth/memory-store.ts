import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  model: string;
  payload: AdapterPayload;
  /** ms since epoch; undefined = no expiry. */
  expiresAt: number | undefined;
}

/** What a snapshot on disk holds: enough to restart the platform without logging anybody out. */
export interface StoreSnapshot {
  version: 1;
  entries: [string, Entry][];
}

/**
 * The authorization server's storage: every artifact (sessions, grants, codes, refresh tokens) in one
 * map with an expiry read from `Date.now()`, so tests can simulate time. Unlike oidc-provider's
 * development adapter it is not an LRU of 1,000 entries: long simulated shifts must not evict a grant.
 * Expired entries are swept as new ones arrive, so memory stays bounded by what is live.
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>();
  readonly #grantIndex = new Map<string, Set<string>>();
  #writesSinceSweep = 0;

  constructor(snapshot?: StoreSnapshot) {
    for (const [key, entry] of snapshot?.entries ?? []) this.#put(key, entry);
  }

  /** An adapter factory for `new Provider(issuer, { adapter })`. */
  readonly adapterFactory = (model: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
      this.#put(`${model}:${id}`, { model, payload, expiresAt });
      if (++this.#writesSinceSweep >= 500) this.sweep();
    },
    find: async (id) => this.#live(`${model}:${id}`)?.payload,
    findByUid: async (uid) => this.#findBy(model, (p) => p.uid === uid),
    findByUserCode: async (code) => this.#findBy(model, (p) => p.userCode === code),
    consume: async (id) => {
      const entry = this.#live(`${model}:${id}`);
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    },
    destroy: async (id) => {
      this.#delete(`${model}:${id}`);
    },
    revokeByGrantId: async (grantId) => {
      for (const key of this.#grantIndex.get(grantId) ?? []) this.#delete(key);
      this.#grantIndex.delete(grantId);
    },
  });

  get size(): number {
    return this.#entries.size;
  }

  /** Drops every expired entry. */
  sweep(): void {
    this.#writesSinceSweep = 0;
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.#delete(key);
    }
  }

  snapshot(): StoreSnapshot {
    this.sweep();
    return { version: 1, entries: [...this.#entries] };
  }

  #put(key: string, entry: Entry): void {
    this.#delete(key);
    this.#entries.set(key, entry);
    const grantId = entry.payload.grantId;
    if (grantId) {
      const keys = this.#grantIndex.get(grantId) ?? new Set<string>();
      keys.add(key);
      this.#grantIndex.set(grantId, keys);
    }
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const grantId = entry.payload.grantId;
    if (grantId) this.#grantIndex.get(grantId)?.delete(key);
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.#delete(key);
      return undefined;
    }
    return entry;
  }

  // Lookups by uid (sessions) and user code are rare (once per interaction); a scan is fine.
  #findBy(model: string, match: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const [key, entry] of this.#entries) {
      if (entry.model === model && match(entry.payload)) return this.#live(key)?.payload;
    }
    return undefined;
  }
}

export function isStoreSnapshot(value: unknown): value is StoreSnapshot {
  const v = value as StoreSnapshot;
  return v?.version === 1 && Array.isArray(v.entries);
}
