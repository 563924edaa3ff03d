import { abortError } from '../common/abort';
import {
  classAggregates,
  groupClasses,
  transferOwnedSizes,
  type ClassAggregate,
  type ClassGroups,
} from './aggregates';
import { classNames, propagateDetachedness } from './classNames';
import { calculateDistances, pageOwnedFlags } from './distances';
import {
  NODE_BITS,
  dominatorsInProcess,
  startDominatorWorker,
  type DominatorGraph,
  type RetainedSizes,
} from './dominators';
import { NodeLocations, type NodeLocation } from './locations';
import type { RawSnapshot } from './reader';
import { buildRetainers, dominatorGraph } from './retainers';
import type { StringTable } from './strings';
import { WeakMapEdges } from './weakMapEdges';

export type { ClassAggregate } from './aggregates';
export { NO_EDGE, SYSTEM_DISTANCE } from './distances';

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

/** String indexes of the names the DevTools rules test for (-1 when absent). */
export interface KnownStrings {
  externalStringData: number;
  nativeContext: number;
  sloppyMap: number;
  descriptors: number;
  object: number;
}

/**
 * A fully analysed heap: CSR edges, retainers, distances, dominators, retained sizes and class
 * names, all in typed arrays indexed by node ordinal. Built once per snapshot; every query
 * (summary, paths, diff, suspects, paging) reads these arrays. Each analysis step lives in the
 * module of its concept (retainers, distances, classNames, locations, aggregates); this class
 * holds their results and runs them in order.
 */
export class HeapSnapshot {
  readonly t: TypeIds;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly strings: StringTable;
  readonly root = 0;
  readonly known: KnownStrings;
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
  flags: Uint8Array = new Uint8Array(0);
  distance: Int32Array = new Int32Array(0);
  /** The edge through which the distance BFS first reached each node: shortest paths in O(1). */
  parentEdge: Uint32Array = new Uint32Array(0);
  dominator: Uint32Array = new Uint32Array(0);
  retained: Float64Array = new Float64Array(0);
  /** String index of each node's class name. */
  classIndex: Uint32Array = new Uint32Array(0);
  /** The nodes that have a source location, and where (none until analysed). */
  located: NodeLocations;
  private aggregates: ClassAggregate[] | undefined;
  /** The Summary's grouping, made while the dominators are computed; dropped once aggregated. */
  private groups: ClassGroups | undefined;

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
    this.located = new NodeLocations(raw);
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
    const weakMaps = new WeakMapEdges(snapshot.strings);
    const step = async (run: () => void): Promise<void> => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) throw abortError(signal);
      run();
    };
    const inWorker = snapshot.nodeCount >= (options.dominatorWorkerMinNodes ?? 300_000);
    const worker = inWorker ? startDominatorWorker(signal) : undefined;
    try {
      await step(() => propagateDetachedness(snapshot));
      await step(() => (snapshot.flags = pageOwnedFlags(snapshot)));
      let graph: DominatorGraph | undefined;
      await step(() => {
        const built = dominatorGraph(snapshot, weakMaps);
        graph = built.graph;
        snapshot.retainerStart = built.retainerCount;
      });
      const essentialGraph = graph as DominatorGraph;
      // The worker numbers the graph depth-first while this thread builds the retainer index.
      worker?.search(essentialGraph);
      await step(
        () =>
          (snapshot.retainerNode = buildRetainers(
            snapshot,
            snapshot.retainerStart,
            essentialGraph.essential,
          )),
      );
      const retainers = {
        retainerStart: snapshot.retainerStart,
        retainerNode: snapshot.retainerNode,
      };
      worker?.tree(retainers);
      await step(() => (snapshot.originalSelfSize = transferOwnedSizes(snapshot)));
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
      await step(() => {
        const { distance, parentEdge } = calculateDistances(snapshot, weakMaps);
        snapshot.distance = distance;
        snapshot.parentEdge = parentEdge;
      });
      await step(() => (snapshot.located = NodeLocations.build(raw)));
      await step(() => (snapshot.classIndex = classNames(snapshot)));
      // Still waiting for the dominators: group the nodes into Summary rows meanwhile.
      await step(() => (snapshot.groups = groupClasses(snapshot)));
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
    return this.retainerNode[k] & NODE_BITS;
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

  /** Script id, 0-based line and column of a node's location, if the snapshot has one. */
  locationOf(n: number): NodeLocation | undefined {
    return this.located.of(n);
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
   * Per-class aggregates like DevTools' Summary (see {@link classAggregates}), sorted by
   * retained size. Computed once.
   */
  classAggregates(): ClassAggregate[] {
    if (!this.aggregates) {
      this.aggregates = classAggregates(this, this.groups ?? groupClasses(this));
      this.groups = undefined; // keyOf (4 bytes a node) is not needed any more
    }
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
}
