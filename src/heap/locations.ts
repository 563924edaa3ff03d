import type { RawSnapshot } from './reader';
import type { ScriptResolver, SourceLocation } from './results';
import type { HeapSnapshot } from './snapshot';

/** Script id, 0-based line and column, as the snapshot's `locations` section records them. */
export interface NodeLocation {
  scriptId: number;
  line: number;
  column: number;
}

/**
 * The `locations` tuples indexed by node: few nodes have one, so a sorted list of them
 * (binary-searched) costs a fraction of a per-node column. A node listed twice keeps its last
 * tuple.
 */
export class NodeLocations {
  /**
   * @param nodes the nodes that have a location, ascending
   * @param tuples per entry of `nodes`, the index of its tuple in `locations`
   */
  constructor(
    private readonly raw: RawSnapshot,
    readonly nodes = new Uint32Array(0),
    readonly tuples = new Uint32Array(0),
  ) {}

  /** Indexes the snapshot's `locations` section. */
  static build(raw: RawSnapshot): NodeLocations {
    const { locations, meta } = raw;
    const width = meta.locationFields.length;
    if (width === 0 || locations.length === 0) return new NodeLocations(raw);
    const objectIndex = meta.locationFields.indexOf('object_index');
    const count = Math.floor(locations.length / width);
    const order = new Uint32Array(count);
    for (let k = 0; k < count; k++) order[k] = k;
    const nodeOf = (k: number): number => locations[k * width + objectIndex];
    // V8 writes them in node order already; sort only when a file does not.
    let sorted = true;
    for (let k = 1; k < count && sorted; k++) sorted = nodeOf(k - 1) <= nodeOf(k);
    if (!sorted) order.sort((a, b) => nodeOf(a) - nodeOf(b) || a - b);
    const nodes: number[] = [];
    const tuples: number[] = [];
    for (const k of order) {
      const n = nodeOf(k);
      if (nodes.length > 0 && nodes[nodes.length - 1] === n) tuples[tuples.length - 1] = k;
      else {
        nodes.push(n);
        tuples.push(k);
      }
    }
    return new NodeLocations(raw, Uint32Array.from(nodes), Uint32Array.from(tuples));
  }

  /** Index of a node's tuple in `locations`, or -1 (binary search over the located nodes). */
  tupleOf(n: number): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = nodes[mid];
      if (m === n) return this.tuples[mid];
      if (m < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** A node's location, if the snapshot has one. */
  of(n: number): NodeLocation | undefined {
    const k = this.tupleOf(n);
    if (k < 0) return undefined;
    const { locations, meta } = this.raw;
    const f = meta.locationFields;
    const base = k * f.length;
    return {
      scriptId: locations[base + f.indexOf('script_id')],
      line: locations[base + f.indexOf('line')],
      column: locations[base + f.indexOf('column')],
    };
  }
}

/** The name of the script a closure comes from, found through `shared` → `script`. */
export function scriptNameOf(snapshot: HeapSnapshot, closure: number): string | undefined {
  const { firstEdge, edgeTo } = snapshot.raw;
  const find = (n: number, names: string[]): number => {
    for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++)
      if (
        snapshot.raw.edgeType[e] === snapshot.t.eInternal &&
        names.includes(snapshot.edgeLabel(e))
      )
        return edgeTo[e];
    return -1;
  };
  const shared = find(closure, ['shared']);
  if (shared < 0) return undefined;
  // V8 11+ names the edge `script_or_debug_info`; older versions `script`.
  const script = find(shared, ['script', 'script_or_debug_info']);
  if (script < 0) return undefined;
  const name = snapshot.nodeName(script);
  return name || undefined;
}

/**
 * Source location (1-based) of a node from the snapshot's `locations`, with the script id
 * mapped by `resolve` or, failing that, by the script name recorded in the heap.
 */
export function sourceLocation(
  snapshot: HeapSnapshot,
  n: number,
  resolve?: ScriptResolver,
): SourceLocation | undefined {
  const location = snapshot.locationOf(n);
  if (!location) return undefined;
  let file = resolve?.(location.scriptId);
  if (!file && snapshot.raw.nodeType[n] === snapshot.t.closure) file = scriptNameOf(snapshot, n);
  if (!file) {
    // Objects carry their constructor's location; the constructor closure knows its script.
    const constructor = findClosureAt(snapshot, location.scriptId);
    if (constructor >= 0) file = scriptNameOf(snapshot, constructor);
  }
  if (!file) return undefined;
  return { file, line: location.line + 1, column: location.column + 1 };
}

function findClosureAt(snapshot: HeapSnapshot, scriptId: number): number {
  const { nodeType } = snapshot.raw;
  for (let n = 0; n < snapshot.nodeCount; n++) {
    if (nodeType[n] !== snapshot.t.closure) continue;
    const location = snapshot.locationOf(n);
    if (location?.scriptId === scriptId) return n;
  }
  return -1;
}
