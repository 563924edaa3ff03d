import type { RawSnapshot } from './reader';
import type { ClassDelta } from './results';
import type { HeapSnapshot } from './snapshot';

/** A sorted copy of a snapshot's V8 object ids, for membership tests by binary search. */
export function sortedIds(ids: Uint32Array): Uint32Array {
  return ids.slice().sort();
}

/** True if `id` is in the sorted id list. */
export function hasId(sorted: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
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
export function classDeltas(baseline: RawSnapshot, later: HeapSnapshot): ClassDelta[] {
  const laterIds = sortedIds(later.raw.nodeId);
  const baselineIds = sortedIds(baseline.nodeId);
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
    if (hasId(laterIds, baseline.nodeId[n])) continue;
    const r = row(baseName(n));
    r.deletedCount++;
    r.sizeDelta -= baseline.nodeSelfSize[n];
  }
  const laterName = baseClassNamer(later.raw);
  const sizes = later.originalSelfSize;
  for (let n = 0; n < later.nodeCount; n++) {
    if (hasId(baselineIds, later.raw.nodeId[n])) continue;
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
