import {
  dominatorsInProcess,
  sharedUint32,
  startDominatorWorker,
  type DominatorGraph,
  type RetainedSizes,
} from './dominators';
import { abortError } from './errors';
import type { RawSnapshot } from './reader';
import type { StringTable } from './strings';

/** DevTools puts objects reachable only from system roots this far away, behind user objects. */
export const SYSTEM_DISTANCE = 100000000;
const NO_DISTANCE = -5;
/** Top bit of a retainer entry: the retaining edge is essential (can retain) for dominators. */
// Same bits as in dominators.ts, which cannot import them (its source runs in a worker).
const ESSENTIAL = 0x80000000;
const NODE_MASK = 0x7fffffff;
/** `parentEdge` of the roots and of unreachable nodes. */
export const NO_EDGE = 0xffffffff;

// DevTools' thresholds for naming plain objects by their properties (`{a, b, c}`).
const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

const WEAK_MAP_EDGE =
  /^\d+(?<part> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<table>\d+)\))$/;

/** Indexes of the node and edge types this snapshot declares (-1 when absent). */
export interface TypeIds {
  hidden: number;
  array: number;
  string: number;
  object: number;
  code: number;
  closure: number;
  regexp: number;
  number: number;
  native: number;
  synthetic: number;
  consString: number;
  slicedString: number;
  objectShape: number;
  eContext: number;
  eElement: number;
  eProperty: number;
  eInternal: number;
  eHidden: number;
  eShortcut: number;
  eWeak: number;
}

function typeIds(raw: RawSnapshot): TypeIds {
  const n = raw.meta.nodeTypes;
  const e = raw.meta.edgeTypes;
  return {
    hidden: n.indexOf('hidden'),
    array: n.indexOf('array'),
    string: n.indexOf('string'),
    object: n.indexOf('object'),
    code: n.indexOf('code'),
    closure: n.indexOf('closure'),
    regexp: n.indexOf('regexp'),
    number: n.indexOf('number'),
    native: n.indexOf('native'),
    synthetic: n.indexOf('synthetic'),
    consString: n.indexOf('concatenated string'),
    slicedString: n.indexOf('sliced string'),
    objectShape: n.indexOf('object shape'),
    eContext: e.indexOf('context'),
    eElement: e.indexOf('element'),
    eProperty: e.indexOf('property'),
    eInternal: e.indexOf('internal'),
    eHidden: e.indexOf('hidden'),
    eShortcut: e.indexOf('shortcut'),
    eWeak: e.indexOf('weak'),
  };
}

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
interface ClassGroups {
  keyOf: Int32Array;
  keyClass: number[];
  count: Float64Array;
  self: Float64Array;
  dist: Int32Array;
}

/**
 * A fully analysed heap: CSR edges, retainers, distances, dominators, retained sizes and class
 * names, all in typed arrays indexed by node ordinal. Built once per snapshot; every query
 * (summary, paths, diff, suspects, paging) reads these arrays.
 */
export class HeapSnapshot {
  readonly t: TypeIds;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly strings: StringTable;
  readonly root = 0;
  /** Self sizes after DevTools' transfer of owned arrays/hidden objects to their owner. */
  readonly selfSize: Uint32Array;
  /** V8's own self sizes, before that transfer (what diffs compare). */
  originalSelfSize: Uint32Array;
  retainerStart: Uint32Array = new Uint32Array(0);
  /**
   * Retainer node ordinals per node (CSR by `retainerStart`), with the top bit set when the
   * edge is essential for dominators. Retaining edge indexes are not stored (a quarter of the
   * memory); {@link retainingEdges} finds them on demand.
   */
  retainerNode: Uint32Array = new Uint32Array(0);
  /** Bit 1: owned by the page (reachable from a user root without weak edges). */
  flags = new Uint8Array(0);
  distance = new Int32Array(0);
  /** The edge through which the distance BFS first reached each node: shortest paths in O(1). */
  parentEdge = new Uint32Array(0);
  dominator: Uint32Array = new Uint32Array(0);
  retained: Float64Array = new Float64Array(0);
  /** String index of each node's class name. */
  classIndex = new Uint32Array(0);
  /** Nodes that have a source location, ascending, and the index of each one's tuple. */
  private locatedNodes = new Uint32Array(0);
  private locatedTuples = new Uint32Array(0);
  /** Per string index: 0 not parsed yet, 1 not a WeakMap edge name, k + 2 → weakMaps[k]. */
  private weakMapState = new Uint32Array(0);
  private weakMaps: { part: string; table: number }[] = [];
  private aggregates: ClassAggregate[] | undefined;
  private groups: ClassGroups | undefined;

  /** String indexes of the names the DevTools rules test for (-1 when absent). */
  private readonly known: {
    externalStringData: number;
    nativeContext: number;
    sloppyMap: number;
    descriptors: number;
    object: number;
  };

  constructor(readonly raw: RawSnapshot) {
    this.t = typeIds(raw);
    const [externalStringData, nativeContext, sloppyMap, descriptors, object] =
      raw.strings.indexesOf([
        'system / ExternalStringData',
        'system / NativeContext',
        'sloppy_function_map',
        '(map descriptors)',
        'Object',
      ]);
    this.known = { externalStringData, nativeContext, sloppyMap, descriptors, object };
    this.nodeCount = raw.nodeCount;
    this.edgeCount = raw.edgeCount;
    this.strings = raw.strings;
    this.selfSize = raw.nodeSelfSize;
    this.originalSelfSize = raw.nodeSelfSize;
  }

  /**
   * Runs every analysis step. Dominators and retained sizes (the longest steps) run on a
   * worker thread for large graphs while this thread computes sizes, distances and class names;
   * in-process below `dominatorWorkerMinNodes`. Yields between steps so a worker host can take
   * a cancellation.
   */
  static async analyze(
    raw: RawSnapshot,
    signal?: AbortSignal,
    options: { dominatorWorkerMinNodes?: number } = {},
  ): Promise<HeapSnapshot> {
    const snapshot = new HeapSnapshot(raw);
    const step = async (run: () => void): Promise<void> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw abortError(signal);
      run();
    };
    const inWorker = snapshot.nodeCount >= (options.dominatorWorkerMinNodes ?? 300_000);
    const worker = inWorker ? startDominatorWorker(signal) : undefined;
    try {
      await step(() => snapshot.propagateDomState());
      await step(() => snapshot.markPageOwned());
      let graph: DominatorGraph | undefined;
      await step(() => (graph = snapshot.dominatorGraph()));
      const essentialGraph = graph as DominatorGraph;
      // The worker numbers the graph depth-first while this thread builds the retainer index.
      worker?.search(essentialGraph);
      await step(() => snapshot.buildRetainers(essentialGraph.essential));
      const retainers = {
        retainerStart: snapshot.retainerStart,
        retainerNode: snapshot.retainerNode,
      };
      worker?.tree(retainers);
      await step(() => snapshot.calculateShallowSizes());
      // The worker adds up retained sizes once it has the dominators; where worker threads are
      // unavailable or the worker dies, all of it runs in-process instead.
      const inProcess = (): RetainedSizes =>
        dominatorsInProcess(essentialGraph, retainers, snapshot.selfSize);
      let dominators: Promise<RetainedSizes> | undefined = worker
        ?.finish(snapshot.selfSize)
        .catch((error: unknown) => {
          if (signal?.aborted) throw error;
          return inProcess();
        });
      // Keep a failure for the await below instead of an unhandled rejection meanwhile.
      dominators?.catch(() => undefined);
      if (!dominators) {
        let result: RetainedSizes | undefined;
        await step(() => (result = inProcess()));
        dominators = Promise.resolve(result as RetainedSizes);
      }
      await step(() => snapshot.calculateDistances());
      await step(() => snapshot.buildLocations());
      await step(() => snapshot.calculateClassNames());
      // Still waiting for the dominators: group the nodes into Summary rows meanwhile.
      await step(() => snapshot.groupClasses());
      const { dominator, retained } = await dominators;
      if (signal?.aborted) throw abortError(signal);
      snapshot.dominator = dominator;
      snapshot.retained = retained;
      return snapshot;
    } finally {
      worker?.stop();
    }
  }

  /** Sum of all retained memory, as DevTools reports it (root's retained size + extra native). */
  get totalSize(): number {
    return this.retained[this.root] + this.raw.meta.extraNativeBytes;
  }

  /**
   * DevTools' "essential edge" rule (which edges can retain, for dominators) and which nodes an
   * essential edge holds. Counts each node's retainers on the way, for {@link buildRetainers}.
   */
  private dominatorGraph(): DominatorGraph {
    const { nodeCount, edgeCount, flags } = this;
    if (nodeCount >= ESSENTIAL) throw new Error(`too many nodes (${nodeCount})`);
    const { firstEdge, edgeTo, edgeType, edgeName, nodeId } = this.raw;
    const { eWeak, eShortcut, eInternal } = this.t;
    const retainerCount = sharedUint32(nodeCount + 1);
    const essential = new Uint8Array(new SharedArrayBuffer(edgeCount));
    const held = new Uint8Array(new SharedArrayBuffer(nodeCount));
    this.weakMapEdge(0); // sizes the per-string WeakMap cache
    const weakState = this.weakMapState;
    for (let n = 0; n < nodeCount; n++) {
      const isRoot = n === this.root;
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
          if (weakState[name] !== 1) {
            const weakMap = this.weakMapEdge(name);
            if (weakMap && weakMap.table === nodeId[n]) keep = false;
          }
        }
        if (keep) {
          essential[e] = 1;
          held[child] = 1;
        }
      }
    }
    this.retainerStart = retainerCount;
    return { nodeCount, root: this.root, firstEdge, edgeTo, essential, held };
  }

  /**
   * The retainer index: per node, the nodes with an edge to it (CSR), the top bit set when the
   * edge is essential. Turns the counts {@link dominatorGraph} left in `retainerStart` into
   * offsets.
   */
  private buildRetainers(essential: Uint8Array): void {
    const { nodeCount, edgeCount } = this;
    const { firstEdge, edgeTo } = this.raw;
    const start = this.retainerStart;
    // Counts become end offsets; filling backwards moves each back to its node's start, and
    // leaves every node's retainers in ascending order, without a second offsets array.
    let sum = 0;
    for (let i = 0; i < nodeCount; i++) start[i] = sum += start[i];
    start[nodeCount] = sum;
    const rNode = sharedUint32(edgeCount);
    for (let n = nodeCount - 1; n >= 0; n--) {
      const retainer = n;
      const essentialRetainer = (n | ESSENTIAL) >>> 0;
      for (let e = firstEdge[n + 1] - 1, first = firstEdge[n]; e >= first; e--)
        rNode[--start[edgeTo[e]]] = essential[e] ? essentialRetainer : retainer;
    }
    this.retainerNode = rNode;
  }

  /** The node an edge leaves from (binary search over the CSR offsets). */
  edgeSource(e: number): number {
    const { firstEdge } = this.raw;
    let lo = 0;
    let hi = this.nodeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (firstEdge[mid] <= e) lo = mid;
      else hi = mid - 1;
    }
    // Nodes without edges share an offset with the next one: take the last with that start.
    return lo;
  }

  /** The retainer node of retainer slot `k`. */
  retainer(k: number): number {
    return this.retainerNode[k] & NODE_MASK;
  }

  /**
   * Every edge that retains `n`, as (retainer node, edge index) pairs, in retainer order.
   * Retainer slots of one node are sorted by retainer, so each retainer is scanned once.
   */
  retainingEdges(n: number): { node: number; edge: number }[] {
    const result: { node: number; edge: number }[] = [];
    const { firstEdge, edgeTo } = this.raw;
    let previous = -1;
    for (let k = this.retainerStart[n]; k < this.retainerStart[n + 1]; k++) {
      const r = this.retainer(k);
      if (r === previous) continue;
      previous = r;
      for (let e = firstEdge[r]; e < firstEdge[r + 1]; e++)
        if (edgeTo[e] === n) result.push({ node: r, edge: e });
    }
    return result;
  }

  /**
   * Embedder (native) nodes know whether they are attached; DevTools spreads that state to the
   * native nodes they reach and renames detached ones `Detached <name>`. Node's own bindings
   * report it too, so class names only match DevTools with the same propagation.
   */
  private propagateDomState(): void {
    const state = this.raw.nodeDetachedness;
    if (state.length === 0) return;
    const { nodeCount } = this;
    const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = this.raw;
    const { native, eHidden, eWeak } = this.t;
    const visited = new Uint8Array(nodeCount);
    const attached: number[] = [];
    const detached: number[] = [];
    const renamed = new Map<number, number>();
    const visit = (n: number, newState: number): void => {
      if (visited[n]) return;
      visited[n] = 1;
      if (nodeType[n] !== native) return;
      state[n] = newState;
      if (newState === 1) attached.push(n);
      else if (newState === 2) {
        let name = renamed.get(nodeName[n]);
        if (name === undefined) {
          name = this.strings.add(`Detached ${this.strings.get(nodeName[n])}`);
          renamed.set(nodeName[n], name);
        }
        nodeName[n] = name;
        detached.push(n);
      }
    };
    const spread = (n: number, newState: number): void => {
      for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
        const type = edgeType[e];
        if (type === eHidden || type === eWeak) continue;
        visit(edgeTo[e], newState);
      }
    };
    for (let n = 0; n < nodeCount; n++) if (state[n] !== 0) visit(n, state[n]);
    while (attached.length > 0) spread(attached.pop() as number, 1);
    while (detached.length > 0) {
      const n = detached.pop() as number;
      if (state[n] !== 1) spread(n, 2);
    }
  }

  /** True for roots DevTools treats as user roots: non-synthetic children of the root. */
  isUserRoot(n: number): boolean {
    const type = this.raw.nodeType[n];
    return (
      type !== this.t.synthetic || this.strings.get(this.raw.nodeName[n]) === '(Document DOM trees)'
    );
  }

  private markPageOwned(): void {
    const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = this.raw;
    const flags = new Uint8Array(this.nodeCount);
    const stack = new Uint32Array(this.nodeCount);
    let top = 0;
    for (let e = firstEdge[this.root]; e < firstEdge[this.root + 1]; e++) {
      const child = edgeTo[e];
      const type = edgeType[e];
      if (type === this.t.eElement) {
        const isDomTrees =
          nodeType[child] === this.t.synthetic &&
          this.strings.get(nodeName[child]) === '(Document DOM trees)';
        if (!isDomTrees) continue;
      } else if (type !== this.t.eShortcut) continue;
      if (flags[child]) continue;
      flags[child] = 1;
      stack[top++] = child;
    }
    const weak = this.t.eWeak;
    while (top > 0) {
      const n = stack[--top];
      for (let e = firstEdge[n], end = firstEdge[n + 1]; e < end; e++) {
        const child = edgeTo[e];
        if (flags[child] || edgeType[e] === weak) continue;
        flags[child] = 1;
        stack[top++] = child;
      }
    }
    this.flags = flags;
  }

  private hasUserRoots(): boolean {
    const { firstEdge, edgeTo } = this.raw;
    for (let e = firstEdge[this.root]; e < firstEdge[this.root + 1]; e++)
      if (this.isUserRoot(edgeTo[e])) return true;
    return false;
  }

  /**
   * DevTools moves the size of arrays and hidden objects with a single owner into the owner
   * (so an object's backing store counts as the object). Counts and self sizes per class only
   * agree with DevTools if we do the same.
   */
  private calculateShallowSizes(): void {
    if (!this.hasUserRoots()) return;
    const { nodeCount, selfSize } = this;
    const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = this.raw;
    const UNVISITED = 0xffffffff;
    const MULTIPLE = 0xfffffffe;
    this.originalSelfSize = selfSize.slice();
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
    const externalData = this.known.externalStringData;
    for (let i = 0; i < nodeCount; i++) {
      const type = nodeType[i];
      if (
        type === this.t.hidden ||
        type === this.t.array ||
        (type === this.t.native && externalData >= 0 && nodeName[i] === externalData)
      ) {
        owners[i] = UNVISITED;
      } else {
        owners[i] = i;
        push(i);
      }
    }
    const weak = this.t.eWeak;
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
      if (nodeType[owner] === this.t.synthetic || owner === this.root) continue;
      selfSize[owner] += selfSize[i];
      selfSize[i] = 0;
    }
  }

  private weakMapEdge(nameIndex: number): { part: string; table: number } | null {
    if (this.weakMapState.length < this.strings.count) {
      const grown = new Uint32Array(this.strings.count);
      grown.set(this.weakMapState);
      this.weakMapState = grown;
    }
    let state = this.weakMapState[nameIndex];
    if (state === 0) {
      const match = WEAK_MAP_EDGE.exec(this.strings.get(nameIndex));
      if (match?.groups) {
        this.weakMaps.push({
          part: match.groups.part,
          table: Number.parseInt(match.groups.table, 10),
        });
        state = this.weakMaps.length + 1;
      } else state = 1;
      this.weakMapState[nameIndex] = state;
    }
    return state === 1 ? null : this.weakMaps[state - 2];
  }

  /** BFS distances: user roots first (distance 1), then everything else from the root. */
  private calculateDistances(): void {
    const { nodeCount } = this;
    const { firstEdge, edgeTo, edgeType, edgeName, nodeType, nodeName } = this.raw;
    const distance = new Int32Array(nodeCount).fill(NO_DISTANCE);
    const parentEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
    const queue = new Uint32Array(nodeCount);
    const { nativeContext, sloppyMap, descriptors } = this.known;
    const pending = new Set<string>();
    this.weakMapEdge(0); // sizes the per-string WeakMap cache
    const weakState = this.weakMapState;
    const { eWeak, eInternal, eElement, eHidden, hidden, array } = this.t;
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
                : Number.parseInt(this.strings.get(edgeName[e]), 10);
            if (!(index < 2 || index % 3 !== 1)) continue;
          }
          // (weakState 1: the name is known not to be a WeakMap entry; skip the call.)
          if (et === eInternal && weakState[edgeName[e]] !== 1) {
            const weakMap = this.weakMapEdge(edgeName[e]);
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
    for (let e = firstEdge[this.root]; e < firstEdge[this.root + 1]; e++) {
      const child = edgeTo[e];
      if (this.isUserRoot(child) && distance[child] === NO_DISTANCE) {
        distance[child] = 1;
        queue[length++] = child;
      }
    }
    bfs(length);
    distance[this.root] = length > 0 ? SYSTEM_DISTANCE : 0;
    queue[0] = this.root;
    bfs(1);
    this.distance = distance;
    this.parentEdge = parentEdge;
  }

  /**
   * Indexes the `locations` tuples by node: few nodes have one, so a sorted list of them
   * (binary-searched) costs a fraction of a per-node column. A node listed twice keeps its
   * last tuple.
   */
  private buildLocations(): void {
    const { locations, meta } = this.raw;
    const width = meta.locationFields.length;
    if (width === 0 || locations.length === 0) return;
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
    this.locatedNodes = Uint32Array.from(nodes);
    this.locatedTuples = Uint32Array.from(tuples);
  }

  /** Index of a node's tuple in `locations`, or -1 (binary search over the located nodes). */
  private locationIndex(n: number): number {
    const nodes = this.locatedNodes;
    let lo = 0;
    let hi = nodes.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const m = nodes[mid];
      if (m === n) return this.locatedTuples[mid];
      if (m < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Script id, 0-based line and column of a node's location, if the snapshot has one. */
  locationOf(n: number): { scriptId: number; line: number; column: number } | undefined {
    const k = this.locationIndex(n);
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

  private calculateClassNames(): void {
    const { nodeCount } = this;
    const { nodeType, nodeName } = this.raw;
    const classIndex = new Uint32Array(nodeCount);
    const added = new Map<string, number>();
    const index = (s: string): number => {
      let i = added.get(s);
      if (i === undefined) {
        i = this.strings.add(s);
        added.set(s, i);
      }
      return i;
    };
    const typeNames = this.raw.meta.nodeTypes;
    const byType = typeNames.map((name, type) => {
      if (type === this.t.hidden) return index('(system)');
      if (type === this.t.code) return index('(compiled code)');
      // DevTools (2024+) files closures under "Function"; the engine keeps the older, clearer
      // "(closure)" the learner material uses. Tests map one to the other.
      if (type === this.t.closure) return index('(closure)');
      if (type === this.t.regexp) return index('RegExp');
      return index(`(${name})`);
    });
    const nameCache = new Map<number, number>();
    for (let n = 0; n < nodeCount; n++) {
      const type = nodeType[n];
      if (type !== this.t.object && type !== this.t.native) {
        classIndex[n] = byType[type];
        continue;
      }
      const raw = nodeName[n];
      let cls = nameCache.get(raw);
      if (cls === undefined) {
        cls = raw;
        const name = this.strings.get(raw);
        if (name.startsWith('<')) {
          const space = name.indexOf(' ');
          cls = index(space === -1 ? name : `${name.substring(0, space)}>`);
        } else if (name.startsWith('Detached <')) {
          const space = name.indexOf(' ', 10);
          cls = index(space === -1 ? name : `${name.substring(0, space)}>`);
        }
        nameCache.set(raw, cls);
      }
      classIndex[n] = cls;
    }
    this.classIndex = classIndex;
    this.applyInterfaceNames();
  }

  /**
   * DevTools names popular shapes of plain `Object`s by their properties (`{ip, userAgent}`),
   * which tells a learner far more than "Object". Same thresholds and matching as DevTools.
   */
  private applyInterfaceNames(): void {
    const { nodeCount, classIndex } = this;
    const { nodeType, nodeName, firstEdge, edgeType, edgeName } = this.raw;
    const objectName = this.known.object;
    if (objectName < 0) return;
    const { object, eProperty } = this.t;
    const isPlain = (n: number): boolean => nodeType[n] === object && nodeName[n] === objectName;
    // Objects with the same property-name sequence get the same name, so the work is done once
    // per distinct sequence ("shape"), found by a hash of the string indexes.
    interface Shape {
      names: number[];
      count: number;
    }
    const shapes: Shape[] = [];
    // Shapes by hash, colliding ones chained: the first shape with a hash, then `sameHash`.
    const shapeByHash = new Map<number, number>();
    const sameHash: number[] = [];
    // Compares a shape with an object's edges in place: most objects repeat a shape seen before.
    const sameShape = (names: number[], first: number, end: number): boolean => {
      let k = 0;
      for (let e = first; e < end; e++) {
        if (edgeType[e] !== eProperty) continue;
        if (k === names.length || edgeName[e] !== names[k]) return false;
        k++;
      }
      return k === names.length;
    };
    const shapeOf = new Int32Array(nodeCount).fill(-1);
    let total = 0;
    for (let n = 0; n < nodeCount; n++) {
      if (!isPlain(n)) continue;
      total++;
      const first = firstEdge[n];
      const end = firstEdge[n + 1];
      let hash = 0;
      for (let e = first; e < end; e++)
        if (edgeType[e] === eProperty) hash = Math.imul(hash ^ edgeName[e], 0x9e3779b1) + 1;
      let id = shapeByHash.get(hash) ?? -1;
      while (id >= 0 && !sameShape(shapes[id].names, first, end)) id = sameHash[id];
      if (id < 0) {
        const names: number[] = [];
        for (let e = first; e < end; e++) if (edgeType[e] === eProperty) names.push(edgeName[e]);
        id = shapes.length;
        shapes.push({ names, count: 0 });
        sameHash.push(shapeByHash.get(hash) ?? -1);
        shapeByHash.set(hash, id);
      }
      shapes[id].count++;
      shapeOf[n] = id;
    }
    const candidates = new Map<string, { name: string; properties: string[]; count: number }>();
    for (const shape of shapes) {
      let name = '{';
      const properties: string[] = [];
      for (const index of shape.names) {
        const property = this.strings.get(index);
        if (property === '__proto__') continue;
        const formatted = formatPropertyName(property);
        if (
          name.length > MIN_INTERFACE_PROPERTY_COUNT &&
          name.length + formatted.length > MAX_INTERFACE_NAME_LENGTH
        )
          break;
        if (name.length !== 1) name += ', ';
        name += formatted;
        properties.push(property);
      }
      if (properties.length === 0) continue;
      name += '}';
      const candidate = candidates.get(name);
      if (candidate) candidate.count += shape.count;
      else candidates.set(name, { name, properties, count: shape.count });
    }
    const sorted = [...candidates.values()].sort((a, b) => b.count - a.count);
    const minCount = Math.max(
      MIN_OBJECT_COUNT_PER_INTERFACE,
      total / MIN_OBJECT_PROPORTION_PER_INTERFACE,
    );
    const definitions = sorted.filter((c) => c.count >= minCount);
    if (definitions.length === 0) return;
    interface TreeNode {
      next: Map<string, TreeNode>;
      match: { name: string; propertyCount: number; index: number } | null;
      greatestNext: string | null;
    }
    const tree: TreeNode = { next: new Map(), match: null, greatestNext: null };
    definitions.forEach((definition, index) => {
      let current = tree;
      for (const property of [...definition.properties].sort()) {
        let next = current.next.get(property);
        if (!next) {
          next = { next: new Map(), match: null, greatestNext: null };
          current.next.set(property, next);
          if (current.greatestNext === null || current.greatestNext < property)
            current.greatestNext = property;
        }
        current = next;
      }
      current.match ??= {
        name: definition.name,
        propertyCount: definition.properties.length,
        index,
      };
    });
    type Match = { name: string; propertyCount: number; index: number };
    const better = (a: Match, b: Match | null): Match => {
      if (!b || a.propertyCount > b.propertyCount) return a;
      if (b.propertyCount > a.propertyCount) return b;
      return a.index <= b.index ? a : b;
    };
    const initial: Match = { name: 'Object', propertyCount: 0, index: Infinity };
    const classes = new Map<string, number>();
    const shapeClass = shapes.map((shape) => {
      const properties = shape.names.map((i) => this.strings.get(i)).sort();
      const states = new Set<TreeNode>([tree]);
      let match = better(initial, tree.match);
      for (const property of properties) {
        for (const state of [...states]) {
          if (state.greatestNext === null || property >= state.greatestNext) states.delete(state);
          const next = state.next.get(property);
          if (next) {
            states.add(next);
            match = better(match, next.match);
          }
        }
      }
      if (match === initial) return -1;
      let cls = classes.get(match.name);
      if (cls === undefined) {
        cls = this.strings.add(match.name);
        classes.set(match.name, cls);
      }
      return cls;
    });
    for (let n = 0; n < nodeCount; n++) {
      const shape = shapeOf[n];
      if (shape >= 0 && shapeClass[shape] >= 0) classIndex[n] = shapeClass[shape];
    }
  }

  /** Class name of a node as the Summary shows it. */
  className(n: number): string {
    return this.strings.get(this.classIndex[n]);
  }

  /** Raw V8 name of a node (constructor name, string value, function name...). */
  nodeName(n: number): string {
    return this.strings.get(this.raw.nodeName[n]);
  }

  nodeTypeName(n: number): string {
    return this.raw.meta.nodeTypes[this.raw.nodeType[n]] ?? '?';
  }

  edgeTypeName(e: number): string {
    return this.raw.meta.edgeTypes[this.raw.edgeType[e]] ?? '?';
  }

  /** An edge's name: property/variable name, or the element index as a string. */
  edgeLabel(e: number): string {
    const type = this.raw.edgeType[e];
    if (type === this.t.eElement || type === this.t.eHidden) return String(this.raw.edgeName[e]);
    return this.strings.get(this.raw.edgeName[e]);
  }

  /**
   * The part of the Summary that needs no dominators: each node's Summary key (class, and for
   * objects with a location, the constructor's location too), and per key the count, self size
   * and smallest distance. Run while the dominator worker is busy.
   */
  private groupClasses(): ClassGroups {
    if (this.groups) return this.groups;
    const { nodeCount, selfSize, classIndex, distance } = this;
    const keyOf = new Int32Array(nodeCount);
    const keyClass: number[] = [];
    const classKey = new Int32Array(this.strings.count).fill(-1);
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
    const { object } = this.t;
    const { nodeType } = this.raw;
    const { locations, meta } = this.raw;
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
    const { locatedNodes, locatedTuples } = this;
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
    this.groups = { keyOf, keyClass, count, self, dist };
    return this.groups;
  }

  /**
   * Per-class aggregates like DevTools' Summary: nodes with a non-zero self size, retained size
   * summed without double-counting members dominated by a member of the same class. DevTools
   * keys object classes by constructor location too; so do we before merging by name.
   */
  classAggregates(): ClassAggregate[] {
    if (this.aggregates) return this.aggregates;
    const { keyOf, keyClass, count, self, dist } = this.groupClasses();
    const { nodeCount, selfSize, retained } = this;
    const keyCount = keyClass.length;
    const ret = new Float64Array(keyCount);
    // Walk the dominator tree keeping, per key, how many ancestors of that key are open.
    const { childStart, children } = this.dominatedNodes();
    const open = new Uint32Array(keyCount);
    const stack = new Uint32Array(nodeCount);
    const cursor = new Uint32Array(nodeCount);
    let sp = 0;
    stack[sp++] = this.root;
    cursor[this.root] = childStart[this.root];
    const enter = (n: number): void => {
      const k = keyOf[n];
      if (selfSize[n] && open[k] === 0) ret[k] += retained[n];
      if (selfSize[n]) open[k]++;
    };
    enter(this.root);
    while (sp > 0) {
      const n = stack[sp - 1];
      if (cursor[n] < childStart[n + 1]) {
        const c = children[cursor[n]++];
        cursor[c] = childStart[c];
        enter(c);
        stack[sp++] = c;
      } else {
        sp--;
        if (selfSize[n]) open[keyOf[n]]--;
      }
    }
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
          name: this.strings.get(cls),
          nameIndex: cls,
          count: count[k],
          selfSize: self[k],
          retainedSize: ret[k],
          distance: dist[k],
        });
      }
    }
    this.groups = undefined; // keyOf (4 bytes a node) is not needed any more
    this.aggregates = [...byName.values()].sort(
      (a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize,
    );
    return this.aggregates;
  }

  /** Members of a class as counted in the Summary (non-zero self size), by node ordinal. */
  instancesOf(className: string): Uint32Array {
    const aggregate = this.classAggregates().find((a) => a.name === className);
    if (!aggregate) return new Uint32Array(0);
    const members = new Uint32Array(aggregate.count);
    const { classIndex, selfSize } = this;
    const cls = aggregate.nameIndex;
    let k = 0;
    for (let n = 0; n < this.nodeCount && k < members.length; n++)
      if (classIndex[n] === cls && selfSize[n]) members[k++] = n;
    return members;
  }

  /**
   * Children of each node in the dominator tree (CSR). Not kept: only the Summary's one walk
   * needs it, and it costs 8 bytes a node.
   */
  private dominatedNodes(): { childStart: Uint32Array; children: Uint32Array } {
    const { nodeCount, dominator } = this;
    const childStart = new Uint32Array(nodeCount + 1);
    for (let n = 0; n < nodeCount; n++) if (n !== this.root) childStart[dominator[n]]++;
    let sum = 0;
    for (let n = 0; n < nodeCount; n++) childStart[n] = sum += childStart[n];
    childStart[nodeCount] = sum;
    const children = new Uint32Array(sum);
    for (let n = nodeCount - 1; n >= 0; n--)
      if (n !== this.root) children[--childStart[dominator[n]]] = n;
    return { childStart, children };
  }
}

function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const json = JSON.stringify({ [name]: 0 });
    return json.substring(1, json.length - 3);
  }
  return name;
}
