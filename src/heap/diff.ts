import type { RawSnapshot } from './reader';
import type { ClassDelta, SnapshotMismatch } from './results';
import { classNames, propagateDetachedness } from './classNames';
import { HeapSnapshot } from './snapshot';

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

/** One side of a diff: its objects' ids, V8's own self sizes and class names. */
export interface DiffSide {
  nodeCount: number;
  nodeId: Uint32Array;
  selfSize: Uint32Array;
  className(n: number): string;
}

/** An analysed snapshot as a diff side, its classes named as its Summary names them. */
export function analysedSide(snapshot: HeapSnapshot): DiffSide {
  return {
    nodeCount: snapshot.nodeCount,
    nodeId: snapshot.raw.nodeId,
    selfSize: snapshot.originalSelfSize,
    className: (n) => snapshot.className(n),
  };
}

/**
 * A snapshot read without analysis as a diff side. Read with its edges (`full` mode), its
 * classes are named as its Summary would name them (`{userAgent, ip}`); without them (`nodes`
 * mode), plain objects can only be `Object`.
 */
export function rawSide(raw: RawSnapshot): DiffSide {
  let className = baseClassNamer(raw);
  if (raw.firstEdge.length === raw.nodeCount + 1) {
    const named = new HeapSnapshot(raw);
    propagateDetachedness(named);
    const classIndex = classNames(named);
    className = (n) => raw.strings.get(classIndex[n]);
  }
  return { nodeCount: raw.nodeCount, nodeId: raw.nodeId, selfSize: raw.nodeSelfSize, className };
}

/**
 * Per-class new and deleted objects between two snapshots of one process, matched by V8 object
 * id: DevTools' Comparison columns, by the class names each side's Summary uses.
 */
export function classDeltas(
  baseline: DiffSide,
  later: DiffSide,
  baselineIds: IdSet,
  laterIds: IdSet,
): ClassDelta[] {
  const rows = new Map<string, ClassDelta>();
  const row = (name: string): ClassDelta => {
    let r = rows.get(name);
    if (!r) {
      r = {
        name,
        newCount: 0,
        deletedCount: 0,
        countDelta: 0,
        addedSize: 0,
        removedSize: 0,
        sizeDelta: 0,
      };
      rows.set(name, r);
    }
    return r;
  };
  for (let n = 0; n < baseline.nodeCount; n++) {
    if (laterIds.has(baseline.nodeId[n])) continue;
    const r = row(baseline.className(n));
    r.deletedCount++;
    r.removedSize += baseline.selfSize[n];
  }
  for (let n = 0; n < later.nodeCount; n++) {
    if (baselineIds.has(later.nodeId[n])) continue;
    const r = row(later.className(n));
    r.newCount++;
    r.addedSize += later.selfSize[n];
  }
  const result = [...rows.values()];
  for (const r of result) {
    r.countDelta = r.newCount - r.deletedCount;
    r.sizeDelta = r.addedSize - r.removedSize;
  }
  return result.sort(
    (a, b) =>
      b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta || a.name.localeCompare(b.name),
  );
}

/**
 * Below this share of agreeing objects, two snapshots come from different processes. Measured
 * (docs/heap-engine.md): 100.00% between snapshots of one process, 28–92% between processes of
 * the same program.
 */
const SAME_PROCESS_AGREEMENT = 0.99;
/**
 * At least this many objects of a snapshot newer than everything in the one given after it make
 * that one older. Measured: 0 in the order taken (a later snapshot holds ids up to the newest V8
 * has handed out), hundreds to thousands reversed; a few would be a fluke, not an order.
 */
const OUT_OF_ORDER_OBJECTS = 10;
/** Below this share of a sample found again under the same ids, two heaps are unrelated
 * (measured: 70–99% within a process). */
const MIN_SHARED = 0.05;
/** Fewest objects a share is computed from; with fewer, the pair is not judged. */
const MIN_SAMPLE = 50;
/** Objects of the earlier snapshot whose type and name are compared. */
const AGREEMENT_SAMPLE = 4000;

/** V8 gives heap objects odd ids; even ids are embedder (native) objects, numbered otherwise. */
function isHeapObjectId(id: number): boolean {
  return (id & 1) === 1;
}

export function highestHeapObjectId(raw: Pick<RawSnapshot, 'nodeId' | 'nodeCount'>): number {
  let max = 0;
  for (let n = 0; n < raw.nodeCount; n++) {
    const id = raw.nodeId[n];
    if (isHeapObjectId(id) && id > max) max = id;
  }
  return max;
}

/** How many of `earlier`'s heap objects have ids above every id in `later`. */
function newerThanAllOf(
  earlier: Pick<RawSnapshot, 'nodeId' | 'nodeCount'>,
  later: Pick<RawSnapshot, 'nodeId' | 'nodeCount'>,
): number {
  const newest = highestHeapObjectId(later);
  let count = 0;
  for (let n = 0; n < earlier.nodeCount; n++) {
    const id = earlier.nodeId[n];
    if (isHeapObjectId(id) && id > newest) count++;
  }
  return count;
}

/**
 * A sample of `a`'s objects looked up in `b` by id: how many `b` holds, and of those the share
 * whose type and name agree. Both need names (`nodes` or `full` mode).
 */
function agreement(
  a: RawSnapshot,
  b: RawSnapshot,
): { sampled: number; shared: number; agreeing: number } {
  const sample = new Map<number, number>();
  const stride = Math.max(1, Math.floor(a.nodeCount / AGREEMENT_SAMPLE));
  for (let n = 0; n < a.nodeCount; n += stride)
    if (isHeapObjectId(a.nodeId[n])) sample.set(a.nodeId[n], n);
  let shared = 0;
  let same = 0;
  for (let n = 0; n < b.nodeCount; n++) {
    const m = sample.get(b.nodeId[n]);
    if (m === undefined) continue;
    shared++;
    if (
      a.meta.nodeTypes[a.nodeType[m]] === b.meta.nodeTypes[b.nodeType[n]] &&
      a.strings.get(a.nodeName[m]) === b.strings.get(b.nodeName[n])
    )
      same++;
  }
  return { sampled: sample.size, shared, agreeing: shared ? same / shared : 0 };
}

/**
 * Checks that snapshots given oldest first were taken in that order from one process; returns
 * why not, or undefined. `named` are the positions read with names (`nodes` or `full` mode; the
 * others may be `ids` only): their objects are compared by type and name, which catches
 * snapshots of different processes even when their ids happen to line up. Cost: a pass over
 * each snapshot's ids.
 */
export function snapshotMismatch(
  snapshots: RawSnapshot[],
  named: number[],
): SnapshotMismatch | undefined {
  for (let i = 0; i < named.length; i++)
    for (let j = i + 1; j < named.length; j++) {
      const [first, second] = [named[i], named[j]];
      const { sampled, shared, agreeing } = agreement(snapshots[first], snapshots[second]);
      if (sampled < MIN_SAMPLE) continue;
      // Within a process, V8's own objects (builtins, code, the global object) outlive every
      // snapshot: two heaps that share (almost) no ids are two processes too.
      if (
        shared < sampled * MIN_SHARED ||
        (shared >= MIN_SAMPLE && agreeing < SAME_PROCESS_AGREEMENT)
      )
        return { kind: 'different-processes', first, second, agreement: agreeing };
    }
  // Ids only grow: objects of a snapshot newer than everything in the next were allocated after
  // that next one was taken.
  for (let i = 1; i < snapshots.length; i++) {
    const newer = newerThanAllOf(snapshots[i - 1], snapshots[i]);
    if (newer >= OUT_OF_ORDER_OBJECTS) {
      const highest = snapshots.map(highestHeapObjectId);
      const takenOrder = snapshots.map((_, k) => k).sort((x, y) => highest[x] - highest[y]);
      return { kind: 'out-of-order', takenOrder, second: i, newerObjects: newer };
    }
  }
  return undefined;
}
