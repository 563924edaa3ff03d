import { hasUserRoots } from './distances';
import type { HeapSnapshot } from './snapshot';

/** Per-class totals as computed for the Summary (DevTools semantics). */
export interface ClassAggregate {
  name: string;
  nameIndex: number;
  count: number;
  selfSize: number;
  retainedSize: number;
  /** Smallest distance from the roots over the members. */
  distance: number;
}

/** Summary keys before dominators: per node its key, per key class, count, self size, distance. */
export interface ClassGroups {
  keyOf: Int32Array;
  keyClass: number[];
  count: Float64Array;
  self: Float64Array;
  dist: Int32Array;
}

/**
 * DevTools moves the size of arrays and hidden objects with a single owner into the owner
 * (so an object's backing store counts as the object). Counts and self sizes per class only
 * agree with DevTools if we do the same. Changes `snapshot.selfSize` in place and returns V8's
 * own sizes from before (what diffs compare).
 */
export function transferOwnedSizes(snapshot: HeapSnapshot): Uint32Array {
  if (!hasUserRoots(snapshot)) return snapshot.selfSize;
  const { nodeCount, selfSize } = snapshot;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = snapshot.raw;
  const UNVISITED = 0xffffffff;
  const MULTIPLE = 0xfffffffe;
  const originalSelfSize = selfSize.slice();
  const owners = new Uint32Array(nodeCount);
  let work = new Uint32Array(Math.max(16, nodeCount));
  let top = 0;
  const push = (n: number): void => {
    if (top === work.length) {
      const grown = new Uint32Array(work.length * 2);
      grown.set(work);
      work = grown;
    }
    work[top++] = n;
  };
  const externalData = snapshot.known.externalStringData;
  for (let i = 0; i < nodeCount; i++) {
    const type = nodeType[i];
    if (
      type === snapshot.t.hidden ||
      type === snapshot.t.array ||
      (type === snapshot.t.native && externalData >= 0 && nodeName[i] === externalData)
    ) {
      owners[i] = UNVISITED;
    } else {
      owners[i] = i;
      push(i);
    }
  }
  const weak = snapshot.t.eWeak;
  while (top > 0) {
    const id = work[--top];
    const owner = owners[id];
    for (let e = firstEdge[id], end = firstEdge[id + 1]; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const target = edgeTo[e];
      const current = owners[target];
      if (current === UNVISITED) {
        owners[target] = owner;
        push(target);
      } else if (current !== target && current !== owner && current !== MULTIPLE) {
        owners[target] = MULTIPLE;
        push(target);
      }
    }
  }
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i];
    if (owner === UNVISITED || owner === MULTIPLE || owner === i) continue;
    if (nodeType[owner] === snapshot.t.synthetic || owner === snapshot.root) continue;
    selfSize[owner] += selfSize[i];
    selfSize[i] = 0;
  }
  return originalSelfSize;
}

/**
 * The part of the Summary that needs no dominators: each node's Summary key (class, and for
 * objects with a location, the constructor's location too), and per key the count, self size
 * and smallest distance. Run while the dominator worker is busy.
 */
export function groupClasses(snapshot: HeapSnapshot): ClassGroups {
  const { nodeCount, selfSize, classIndex, distance } = snapshot;
  const keyOf = new Int32Array(nodeCount);
  const keyClass: number[] = [];
  const classKey = new Int32Array(snapshot.strings.count).fill(-1);
  // Per key, grown as keys appear: counts and sizes of the members with a self size.
  const counts: number[] = [];
  const sizes: number[] = [];
  const dists: number[] = [];
  const addKey = (cls: number, loc: number): number => {
    keyClass.push(cls);
    keyLocation.push(loc);
    counts.push(0);
    sizes.push(0);
    dists.push(0x7fffffff);
    return keyClass.length - 1;
  };
  // Located objects: keyed by (script, line, column, class), found by hash then compared.
  const located = new Map<number, number[]>();
  const keyLocation: number[] = [];
  const { object } = snapshot.t;
  const { nodeType } = snapshot.raw;
  const { locations, meta } = snapshot.raw;
  const lf = meta.locationFields;
  const [si, li, ci] = [lf.indexOf('script_id'), lf.indexOf('line'), lf.indexOf('column')];
  const sameLocation = (k: number, cls: number, script: number, line: number, column: number) => {
    const kb = keyLocation[k] * lf.length;
    return (
      keyClass[k] === cls &&
      locations[kb + si] === script &&
      locations[kb + li] === line &&
      locations[kb + ci] === column
    );
  };
  const { nodes: locatedNodes, tuples: locatedTuples } = snapshot.located;
  let next = 0; // the next located node, walked along with n
  for (let n = 0; n < nodeCount; n++) {
    const cls = classIndex[n];
    let loc = -1;
    if (next < locatedNodes.length && locatedNodes[next] === n) loc = locatedTuples[next++];
    let id = -1;
    if (loc >= 0 && nodeType[n] === object) {
      const b = loc * lf.length;
      const script = locations[b + si];
      const line = locations[b + li];
      const column = locations[b + ci];
      const hash =
        Math.imul(
          Math.imul(Math.imul(script, 0x9e3779b1) ^ line, 0x85ebca6b) ^ column,
          0xc2b2ae35,
        ) ^ cls;
      let ids = located.get(hash);
      if (!ids) located.set(hash, (ids = []));
      for (let j = 0; j < ids.length && id < 0; j++)
        if (sameLocation(ids[j], cls, script, line, column)) id = ids[j];
      if (id < 0) ids.push((id = addKey(cls, loc)));
    } else {
      id = classKey[cls];
      if (id < 0) classKey[cls] = id = addKey(cls, -1);
    }
    keyOf[n] = id;
    const size = selfSize[n];
    if (!size) continue;
    counts[id]++;
    sizes[id] += size;
    if (distance[n] < dists[id]) dists[id] = distance[n];
  }
  const count = Float64Array.from(counts);
  const self = Float64Array.from(sizes);
  const dist = Int32Array.from(dists);
  return { keyOf, keyClass, count, self, dist };
}

/**
 * Depth-first walk of the dominator tree below `root`, without recursion (a list of a million
 * nodes would overflow the stack): `enter` on the way down, `leave` once a node's subtree is done.
 * Both Summaries count a class's retained size only at its topmost members this way.
 */
export function walkDominatorTree(
  tree: { childStart: Uint32Array; children: Uint32Array },
  root: number,
  enter: (n: number) => void,
  leave: (n: number) => void,
): void {
  const { childStart, children } = tree;
  const nodeCount = childStart.length - 1;
  const stack = new Uint32Array(nodeCount);
  const cursor = new Uint32Array(nodeCount);
  let sp = 0;
  stack[sp++] = root;
  cursor[root] = childStart[root];
  enter(root);
  while (sp > 0) {
    const n = stack[sp - 1];
    if (cursor[n] < childStart[n + 1]) {
      const c = children[cursor[n]++];
      cursor[c] = childStart[c];
      enter(c);
      stack[sp++] = c;
    } else {
      sp--;
      leave(n);
    }
  }
}

/**
 * Per-class aggregates like DevTools' Summary: nodes with a non-zero self size, retained size
 * summed without double-counting members dominated by a member of the same class. DevTools
 * keys object classes by constructor location too; so do we before merging by name.
 */
export function classAggregates(snapshot: HeapSnapshot, groups: ClassGroups): ClassAggregate[] {
  const { keyOf, keyClass, count, self, dist } = groups;
  const { selfSize, retained } = snapshot;
  const keyCount = keyClass.length;
  const ret = new Float64Array(keyCount);
  // Walk the dominator tree keeping, per key, how many ancestors of that key are open.
  const open = new Uint32Array(keyCount);
  walkDominatorTree(
    dominatedNodes(snapshot),
    snapshot.root,
    (n) => {
      const k = keyOf[n];
      if (selfSize[n] && open[k] === 0) ret[k] += retained[n];
      if (selfSize[n]) open[k]++;
    },
    (n) => {
      if (selfSize[n]) open[keyOf[n]]--;
    },
  );
  const byName = new Map<number, ClassAggregate>();
  for (let k = 0; k < keyCount; k++) {
    if (!count[k]) continue;
    const cls = keyClass[k];
    const agg = byName.get(cls);
    if (agg) {
      agg.count += count[k];
      agg.selfSize += self[k];
      agg.retainedSize += ret[k];
      agg.distance = Math.min(agg.distance, dist[k]);
    } else {
      byName.set(cls, {
        name: snapshot.strings.get(cls),
        nameIndex: cls,
        count: count[k],
        selfSize: self[k],
        retainedSize: ret[k],
        distance: dist[k],
      });
    }
  }
  return [...byName.values()].sort(
    (a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize,
  );
}

/**
 * Children of each node in the dominator tree (CSR). Costs 8 bytes a node: the Summary's one
 * walk drops it; the explorer builds its own when a Dominators or filtered view asks.
 */
export function dominatedNodes(snapshot: HeapSnapshot): {
  childStart: Uint32Array;
  children: Uint32Array;
} {
  const { nodeCount, dominator } = snapshot;
  const childStart = new Uint32Array(nodeCount + 1);
  for (let n = 0; n < nodeCount; n++) if (n !== snapshot.root) childStart[dominator[n]]++;
  let sum = 0;
  for (let n = 0; n < nodeCount; n++) childStart[n] = sum += childStart[n];
  childStart[nodeCount] = sum;
  const children = new Uint32Array(sum);
  for (let n = nodeCount - 1; n >= 0; n--)
    if (n !== snapshot.root) children[--childStart[dominator[n]]] = n;
  return { childStart, children };
}
