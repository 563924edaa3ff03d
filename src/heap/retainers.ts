import { ESSENTIAL_BIT, sharedUint32, type DominatorGraph } from './dominators';
import type { HeapSnapshot } from './snapshot';
import type { WeakMapEdges } from './weakMapEdges';

/**
 * DevTools' "essential edge" rule (which edges can retain, for dominators) and which nodes an
 * essential edge holds. Also counts each node's retainers, which {@link buildRetainers} turns
 * into the retainer index. Needs the page-owned flags (`snapshot.flags`).
 */
export function dominatorGraph(
  snapshot: HeapSnapshot,
  weakMaps: WeakMapEdges,
): { graph: DominatorGraph; retainerCount: Uint32Array } {
  const { nodeCount, edgeCount, flags, root } = snapshot;
  if (nodeCount >= ESSENTIAL_BIT) throw new Error(`too many nodes (${nodeCount})`);
  const { firstEdge, edgeTo, edgeType, edgeName, nodeId } = snapshot.raw;
  const { eWeak, eShortcut, eInternal } = snapshot.t;
  const retainerCount = sharedUint32(nodeCount + 1);
  const essential = new Uint8Array(new SharedArrayBuffer(edgeCount));
  const held = new Uint8Array(new SharedArrayBuffer(nodeCount));
  weakMaps.parse(0); // sizes the per-string WeakMap cache
  for (let n = 0; n < nodeCount; n++) {
    const isRoot = n === root;
    const nodeFlag = flags[n];
    for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
      const type = edgeType[e];
      const child = edgeTo[e];
      retainerCount[child]++;
      let keep = type !== eWeak && child !== n;
      // Off the root, shortcuts only mark user globals; and edges from non-page objects
      // (e.g. the debugger) into page objects would steal the page objects' dominators.
      if (keep && !isRoot) keep = type !== eShortcut && !(flags[child] && !nodeFlag);
      if (keep && type === eInternal) {
        // A WeakMap value is held by key and table together; DevTools keeps the key's edge.
        const name = edgeName[e];
        if (!weakMaps.isPlain(name)) {
          const weakMap = weakMaps.parse(name);
          if (weakMap && weakMap.table === nodeId[n]) keep = false;
        }
      }
      if (keep) {
        essential[e] = 1;
        held[child] = 1;
      }
    }
  }
  return { graph: { nodeCount, root, firstEdge, edgeTo, essential, held }, retainerCount };
}

/**
 * The retainer index: per node, the nodes with an edge to it (CSR), the top bit set when the
 * edge is essential. Turns the counts {@link dominatorGraph} made into offsets in place: the
 * same array becomes `retainerStart`. Returns the retainer nodes.
 */
export function buildRetainers(
  snapshot: HeapSnapshot,
  retainerCount: Uint32Array,
  essential: Uint8Array,
): Uint32Array {
  const { nodeCount, edgeCount } = snapshot;
  const { firstEdge, edgeTo } = snapshot.raw;
  const start = retainerCount;
  // Counts become end offsets; filling backwards moves each back to its node's start, and
  // leaves every node's retainers in ascending order, without a second offsets array.
  let sum = 0;
  for (let i = 0; i < nodeCount; i++) start[i] = sum += start[i];
  start[nodeCount] = sum;
  const rNode = sharedUint32(edgeCount);
  for (let n = nodeCount - 1; n >= 0; n--) {
    const retainer = n;
    const essentialRetainer = (n | ESSENTIAL_BIT) >>> 0;
    for (let e = firstEdge[n + 1] - 1, first = firstEdge[n]; e >= first; e--)
      rNode[--start[edgeTo[e]]] = essential[e] ? essentialRetainer : retainer;
  }
  return rNode;
}
