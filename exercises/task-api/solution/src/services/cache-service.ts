/**
 * A small in-memory cache for answers that are expensive to compute (search results).
 * Bounded: at most `maxEntries` entries, each living at most `ttlMs`; the least recently used
 * entry goes first. Keys that never repeat (a cache-busting parameter) can no longer grow it.
 */
export class CacheService<V> {
  private readonly entries = new Map<string, { value: V; storedAt: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = 100,
    private readonly ttlMs = 30_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry && Date.now() - entry.storedAt < this.ttlMs) {
      // Re-insert so the Map's order stays least-recently-used first.
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.hits++;
      return entry.value;
    }
    if (entry) this.entries.delete(key);
    this.misses++;
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: Date.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets the entries `stale` picks (after a write makes some cached answers stale). */
  forget(stale: (key: string, value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (stale(key, entry.value)) this.entries.delete(key);
  }

  /** Forgets every entry (after a write makes cached answers stale). */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
