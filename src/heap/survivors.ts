import type { SurvivorTotals } from './results';
import type { HeapSnapshot } from './snapshot';

/** Out-of-object property storage: V8 calls it `hidden`, but it holds the program's own values. */
const PROGRAM_HIDDEN = 'system / PropertyArray';

/**
 * Whether a node is V8's own rather than the program's: compiled code and what hangs off it
 * (bytecode, feedback, scope infos), object shapes, and `(system)` objects. These grow while a
 * program warms up (new shapes, optimised code) and are not the program's to free, so a verdict
 * must not count them as a leak.
 */
export function v8OwnClassifier(snapshot: HeapSnapshot): (n: number) => boolean {
  const { code, objectShape, synthetic, hidden } = snapshot.t;
  const { nodeType, nodeName } = snapshot.raw;
  const hiddenNames = new Map<number, boolean>();
  return (n) => {
    const type = nodeType[n];
    if (type === code || type === objectShape || type === synthetic) return true;
    if (type !== hidden) return false;
    const nameIndex = nodeName[n];
    let own = hiddenNames.get(nameIndex);
    if (own === undefined) {
      own = snapshot.strings.get(nameIndex) !== PROGRAM_HIDDEN;
      hiddenNames.set(nameIndex, own);
    }
    return own;
  };
}

/** Sums the survivors (a 0/1 flag per node) by V8 self size, the program's apart from V8's. */
export function survivorTotals(snapshot: HeapSnapshot, survivors: Uint8Array): SurvivorTotals {
  const isV8Own = v8OwnClassifier(snapshot);
  const sizes = snapshot.originalSelfSize;
  const totals: SurvivorTotals = { count: 0, bytes: 0, v8Count: 0, v8Bytes: 0, classes: [] };
  const byClass = new Map<number, { count: number; bytes: number }>();
  for (let n = 0; n < snapshot.nodeCount; n++) {
    if (!survivors[n]) continue;
    const size = sizes[n];
    if (isV8Own(n)) {
      totals.v8Count++;
      totals.v8Bytes += size;
      continue;
    }
    totals.count++;
    totals.bytes += size;
    const key = snapshot.classIndex[n];
    const row = byClass.get(key);
    if (row) {
      row.count++;
      row.bytes += size;
    } else byClass.set(key, { count: 1, bytes: size });
  }
  totals.classes = [...byClass.entries()]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, 10)
    .map(([key, row]) => ({ name: snapshot.strings.get(key), ...row }));
  return totals;
}
