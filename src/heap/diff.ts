import type { RawSnapshot } from './reader';
import type { ClassDelta } from './results';
import type { HeapSnapshot } from './snapshot';

const BITMAP_LIMIT = 1 << 28;

/**
 * A set of V8 object ids for the millions of membership tests a diff makes. V8 hands out ids
 * sequentially, so almost all fit a small bitmap (cache-friendly, no sorting); the few large
 * ids of embedder objects go to an open-addressing table.
 */
export class IdSet {
  private readonly bits: Uint8Array;
  private readonly table: Uint32Array;
  private readonly shift: number;
  private readonly mask: number;

  constructor(ids: Uint32Array) {
    let max = 0;
    let large = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= BITMAP_LIMIT) large++;
      else if (id > max) max = id;
    }
    this.bits = new Uint8Array((max >>> 3) + 1);
    let bits = 4;
    while (1 << bits < large * 2) bits++;
    this.table = new Uint32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    // Fibonacci hashing takes the product's top bits.
    this.shift = 32 - bits;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < BITMAP_LIMIT) this.bits[id >>> 3] |= 1 << (id & 7);
      else this.addLarge(id);
    }
  }

  private addLarge(id: number): void {
    const { table, mask } = this;
    let slot = Math.imul(id, 0x9e3779b1) >>> this.shift;
    while (table[slot] !== 0 && table[slot] !== id) slot = (slot + 1) & mask;
    table[slot] = id;
  }

  has(id: number): boolean {
    if (id < BITMAP_LIMIT) {
      const byte = id >>> 3;
      return byte < this.bits.length && (this.bits[byte] & (1 << (id & 7))) !== 0;
    }
    const { table, mask } = this;
    let slot = Math.imul(id, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const v = table[slot];
      if (v === id) return true;
      if (v === 0) return false;
      slot = (slot + 1) & mask;
    }
  }
}

/**
 * Class name from a node's type and V8 name alone (no edges needed): the constructor name for
 * objects, `(closure)`, `(string)`, `(array)`... This is what a diff can compute for a
 * baseline read without edges, so both sides of a diff use it.
 */
export function baseClassNamer(raw: RawSnapshot): (n: number) => string {
  const types = raw.meta.nodeTypes;
  const cache = new Map<number, string>();
  const byType = types.map((type) => {
    switch (type) {
      case 'hidden':
        return '(system)';
      case 'code':
        return '(compiled code)';
      case 'closure':
        return '(closure)';
      case 'regexp':
        return 'RegExp';
      default:
        return `(${type})`;
    }
  });
  return (n) => {
    const type = types[raw.nodeType[n]];
    if (type !== 'object' && type !== 'native') return byType[raw.nodeType[n]] ?? '(unknown)';
    const nameIndex = raw.nodeName[n];
    let name = cache.get(nameIndex);
    if (name === undefined) {
      name = raw.strings.get(nameIndex);
      const prefix = name.startsWith('Detached <') ? 10 : name.startsWith('<') ? 0 : -1;
      if (prefix >= 0) {
        const space = name.indexOf(' ', prefix);
        if (space !== -1) name = `${name.substring(0, space)}>`;
      }
      cache.set(nameIndex, name);
    }
    return name;
  };
}

/**
 * Per-class new/deleted objects between a baseline (read with `nodes` mode) and a later fully
 * analysed snapshot, matched by V8 object id. Sizes are V8's own self sizes on both sides.
 */
export function classDeltas(
  baseline: RawSnapshot,
  later: HeapSnapshot,
  baselineIds: IdSet,
  laterIds: IdSet,
): ClassDelta[] {
  const rows = new Map<string, ClassDelta>();
  const row = (name: string): ClassDelta => {
    let r = rows.get(name);
    if (!r) {
      r = { name, newCount: 0, deletedCount: 0, countDelta: 0, sizeDelta: 0 };
      rows.set(name, r);
    }
    return r;
  };
  const baseName = baseClassNamer(baseline);
  for (let n = 0; n < baseline.nodeCount; n++) {
    if (laterIds.has(baseline.nodeId[n])) continue;
    const r = row(baseName(n));
    r.deletedCount++;
    r.sizeDelta -= baseline.nodeSelfSize[n];
  }
  const laterName = baseClassNamer(later.raw);
  const sizes = later.originalSelfSize;
  for (let n = 0; n < later.nodeCount; n++) {
    if (baselineIds.has(later.raw.nodeId[n])) continue;
    const r = row(laterName(n));
    r.newCount++;
    r.sizeDelta += sizes[n];
  }
  const result = [...rows.values()];
  for (const r of result) r.countDelta = r.newCount - r.deletedCount;
  return result.sort(
    (a, b) =>
      b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta || a.name.localeCompare(b.name),
  );
}
