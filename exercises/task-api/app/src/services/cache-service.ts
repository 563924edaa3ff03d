/** A small in-memory cache for answers that are expensive to compute (search results). */
export class CacheService<V> {
  private readonly entries = new Map<string, { value: V; storedAt: number }>();
  hits = 0;
  misses = 0;

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.hits++;
      return entry.value;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { value, storedAt: Date.now() });
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
