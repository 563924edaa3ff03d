import type { HeapSnapshot } from './snapshot';
import type { WeakMapEdges } from './weakMapEdges';

/** DevTools puts objects reachable only from system roots this far away, behind user objects. */
export const SYSTEM_DISTANCE = 100000000;
const NO_DISTANCE = -5;
/** `parentEdge` of the roots and of unreachable nodes. */
export const NO_EDGE = 0xffffffff;

/** True for roots DevTools treats as user roots: non-synthetic children of the root. */
export function isUserRoot(snapshot: HeapSnapshot, n: number): boolean {
  const type = snapshot.raw.nodeType[n];
  return (
    type !== snapshot.t.synthetic ||
    snapshot.strings.get(snapshot.raw.nodeName[n]) === '(Document DOM trees)'
  );
}

/** True if the root has at least one user root among its children. */
export function hasUserRoots(snapshot: HeapSnapshot): boolean {
  const { firstEdge, edgeTo } = snapshot.raw;
  const { root } = snapshot;
  for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++)
    if (isUserRoot(snapshot, edgeTo[e])) return true;
  return false;
}

/**
 * Per node, 1 when the page owns it: reachable without weak edges from a user global (a
 * shortcut edge of the root) or from `(Document DOM trees)`. The dominators depend on it.
 */
export function pageOwnedFlags(snapshot: HeapSnapshot): Uint8Array {
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = snapshot.raw;
  const { root, t } = snapshot;
  const flags = new Uint8Array(snapshot.nodeCount);
  const stack = new Uint32Array(snapshot.nodeCount);
  let top = 0;
  for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++) {
    const child = edgeTo[e];
    const type = edgeType[e];
    if (type === t.eElement) {
      const isDomTrees =
        nodeType[child] === t.synthetic &&
        snapshot.strings.get(nodeName[child]) === '(Document DOM trees)';
      if (!isDomTrees) continue;
    } else if (type !== t.eShortcut) continue;
    if (flags[child]) continue;
    flags[child] = 1;
    stack[top++] = child;
  }
  const weak = t.eWeak;
  while (top > 0) {
    const n = stack[--top];
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const child = edgeTo[e];
      if (flags[child] || edgeType[e] === weak) continue;
      flags[child] = 1;
      stack[top++] = child;
    }
  }
  return flags;
}

/**
 * BFS distances: user roots first (distance 1), then everything else from the root. Also the
 * edge through which the BFS first reached each node, which makes shortest paths O(length).
 */
export function calculateDistances(
  snapshot: HeapSnapshot,
  weakMaps: WeakMapEdges,
): { distance: Int32Array; parentEdge: Uint32Array } {
  const { nodeCount, root } = snapshot;
  const { firstEdge, edgeTo, edgeType, edgeName, nodeType, nodeName } = snapshot.raw;
  const distance = new Int32Array(nodeCount).fill(NO_DISTANCE);
  const parentEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
  const queue = new Uint32Array(nodeCount);
  const { nativeContext, sloppyMap, descriptors } = snapshot.known;
  const pending = new Set<string>();
  weakMaps.parse(0); // sizes the per-string WeakMap cache
  const { eWeak, eInternal, eElement, eHidden, hidden, array } = snapshot.t;
  const bfs = (length: number): void => {
    let head = 0;
    while (head < length) {
      const n = queue[head++];
      const d = distance[n] + 1;
      const type = nodeType[n];
      const isNativeContext = type === hidden && nodeName[n] === nativeContext;
      const isDescriptors = type === array && nodeName[n] === descriptors;
      for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
        const et = edgeType[e];
        if (et === eWeak) continue;
        const child = edgeTo[e];
        if (distance[child] !== NO_DISTANCE) continue;
        if (isNativeContext && et !== eElement && et !== eHidden && edgeName[e] === sloppyMap)
          continue;
        if (isDescriptors) {
          // DevTools skips descriptor links (shared between maps) when measuring distances.
          const index =
            et === eElement || et === eHidden
              ? edgeName[e]
              : Number.parseInt(snapshot.strings.get(edgeName[e]), 10);
          if (!(index < 2 || index % 3 !== 1)) continue;
        }
        if (et === eInternal && !weakMaps.isPlain(edgeName[e])) {
          // A WeakMap value counts as reached once both its key and its table are.
          const weakMap = weakMaps.parse(edgeName[e]);
          if (weakMap && !pending.delete(weakMap.part)) {
            pending.add(weakMap.part);
            continue;
          }
        }
        distance[child] = d;
        parentEdge[child] = e;
        queue[length++] = child;
      }
    }
  };
  let length = 0;
  for (let e = firstEdge[root]; e < firstEdge[root + 1]; e++) {
    const child = edgeTo[e];
    if (isUserRoot(snapshot, child) && distance[child] === NO_DISTANCE) {
      distance[child] = 1;
      queue[length++] = child;
    }
  }
  bfs(length);
  distance[root] = length > 0 ? SYSTEM_DISTANCE : 0;
  queue[0] = root;
  bfs(1);
  return { distance, parentEdge };
}
