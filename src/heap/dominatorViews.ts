/**
 * Whole-heap views of the Heap Explorer: Containment's starting points, the dominator tree
 * (paged, and as a bounded treemap), Statistics by kind, and the Summary restricted to the
 * objects allocated in an id range. Built on the analysed snapshot's dominators and distances.
 */
import { dominatedNodes, walkDominatorTree } from './aggregates';
import type { ExplorerIndex } from './explore';
import { inRange } from './explore';
import { moduleScopeLabel } from './paths';
import type { ContainmentRoots, HeapStatistics, IdRange, NodeRow, TreemapNode } from './protocol';
import type { ClassSummary } from './results';
import { SYSTEM_DISTANCE, type HeapSnapshot } from './snapshot';

/** Bounds of a treemap request: enough for a picture, never a heap's worth of rectangles. */
export const TREEMAP_MAX_DEPTH = 4;
export const TREEMAP_MAX_BREADTH = 20;
/** A class's distance until a reachable member is seen. */
const UNREACHED = 0x7fffffff;

/** The dominator tree's children lists, built once per snapshot on first use. */
export class DominatorTree {
  private tree: { childStart: Uint32Array; children: Uint32Array } | undefined;
  /** Treemaps asked for, by root, depth and breadth: a picture is asked for again and again. */
  private readonly treemaps = new Map<string, TreemapNode>();

  constructor(private readonly index: ExplorerIndex) {}

  private get csr(): { childStart: Uint32Array; children: Uint32Array } {
    this.tree ??= dominatedNodes(this.index.snapshot);
    return this.tree;
  }

  /** The nodes `n` dominates, unordered. */
  childrenOf(n: number): Uint32Array {
    const { childStart, children } = this.csr;
    return children.subarray(childStart[n], childStart[n + 1]);
  }

  /** One page of what `n` dominates, largest retained first. */
  page(n: number, start: number, count: number): { total: number; rows: NodeRow[] } {
    const { snapshot } = this.index;
    const children = this.childrenOf(n);
    const nodes = this.index.pageOf(
      `dominated\u0000${n}`,
      children,
      (m) => snapshot.retained[m],
      true,
      start,
      count,
    );
    return { total: children.length, rows: nodes.map((m) => this.index.row(m)) };
  }

  /** The subtree below `n`, `depth` levels, each node's `breadth` largest children. */
  treemap(n: number, depth: number, breadth: number): TreemapNode {
    const { snapshot } = this.index;
    const levels = Math.max(0, Math.min(depth, TREEMAP_MAX_DEPTH));
    const width = Math.max(1, Math.min(breadth, TREEMAP_MAX_BREADTH));
    const key = `${n}:${levels}:${width}`;
    const cached = this.treemaps.get(key);
    if (cached) return cached;
    const build = (m: number, level: number): TreemapNode => {
      const node: TreemapNode = {
        node: m,
        id: snapshot.raw.nodeId[m],
        className: snapshot.className(m),
        name: clipName(snapshot.strings.prefix(snapshot.raw.nodeName[m], 80)),
        retainedSize: snapshot.retained[m],
        selfSize: snapshot.selfSize[m],
        children: [],
      };
      if (level >= levels) return node;
      const children = this.childrenOf(m);
      const largest = this.index.pageOf(
        `dominated\u0000${m}`,
        children,
        (c) => snapshot.retained[c],
        true,
        0,
        width,
      );
      node.children = largest.map((c) => build(c, level + 1));
      if (children.length > largest.length) {
        const shown = largest.reduce((sum, c) => sum + snapshot.retained[c], 0);
        let all = 0;
        for (const c of children) all += snapshot.retained[c];
        node.other = { count: children.length - largest.length, retainedSize: all - shown };
      }
      return node;
    };
    const treemap = build(n, 0);
    if (this.treemaps.size >= 8) this.treemaps.delete(this.treemaps.keys().next().value as string);
    this.treemaps.set(key, treemap);
    return treemap;
  }

  /**
   * Summary rows of the objects whose id is in `range` (DevTools' "allocated between"): counts
   * and self sizes of those members, retained sizes added without counting a member inside
   * another of its class (the dominator walk the full Summary makes).
   */
  classesInRange(range: IdRange): ClassSummary[] {
    const { snapshot } = this.index;
    const { selfSize, retained, classIndex, distance, root } = snapshot;
    const { nodeId } = snapshot.raw;
    const rows = new Map<number, ClassSummary>();
    const open = new Map<number, number>();
    const counted = (n: number): boolean => selfSize[n] > 0 && inRange(nodeId[n], range);
    const enter = (n: number): void => {
      if (!counted(n)) return;
      const cls = classIndex[n];
      let row = rows.get(cls);
      if (!row) {
        row = {
          name: snapshot.className(n),
          count: 0,
          selfSize: 0,
          retainedSize: 0,
          distance: UNREACHED,
        };
        rows.set(cls, row);
      }
      row.count++;
      row.selfSize += selfSize[n];
      if (distance[n] >= 0 && distance[n] < row.distance) row.distance = distance[n];
      const depth = open.get(cls) ?? 0;
      if (depth === 0) row.retainedSize += retained[n];
      open.set(cls, depth + 1);
    };
    walkDominatorTree(this.csr, root, enter, (n) => {
      if (counted(n)) open.set(classIndex[n], (open.get(classIndex[n]) as number) - 1);
    });
    for (const row of rows.values()) if (row.distance === UNREACHED) row.distance = -1;
    return [...rows.values()].sort(
      (a, b) => b.retainedSize - a.retainedSize || b.selfSize - a.selfSize,
    );
  }
}

function clipName({ text, truncated }: { text: string; truncated: boolean }): string {
  return truncated ? `${text}…` : text;
}

/**
 * Containment's top level: the root's references (`(GC roots)`, the global object…) and the
 * top-level scopes of the program's modules, which DevTools leaves buried under the roots.
 */
export function containmentRoots(index: ExplorerIndex): ContainmentRoots {
  const { snapshot } = index;
  const { root } = snapshot;
  const roots = index.childrenPage(root, 0, snapshot.raw.firstEdge[root + 1]).rows;
  const modules: ContainmentRoots['modules'] = [];
  const { nodeType, nodeName } = snapshot.raw;
  const [context] = snapshot.strings.indexesOf(['system / Context']);
  if (context >= 0) {
    for (let n = 0; n < snapshot.nodeCount; n++) {
      if (nodeType[n] !== snapshot.t.object || nodeName[n] !== context) continue;
      const label = moduleScopeLabel(snapshot, n);
      if (label) modules.push({ label, row: index.row(n) });
    }
  }
  modules.sort((a, b) => a.label.localeCompare(b.label));
  return { roots, modules };
}

/**
 * Memory by kind, as DevTools' Statistics counts it (V8's own self sizes): objects reachable
 * only from V8's roots are `system`; of the rest, compiled code, strings, JS arrays (with their
 * own elements store), typed arrays' buffers; `other` is what is left of the total.
 */
export function heapStatistics(snapshot: HeapSnapshot): HeapStatistics {
  const { nodeCount, distance, originalSelfSize: size } = snapshot;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = snapshot.raw;
  const t = snapshot.t;
  const [arrayName, bufferData, elements] = snapshot.strings.indexesOf([
    'Array',
    'system / JSArrayBufferData',
    'elements',
  ]);
  let native = 0;
  let typedArrays = 0;
  let code = 0;
  let strings = 0;
  let jsArrays = 0;
  let system = 0;
  for (let n = 0; n < nodeCount; n++) {
    const self = size[n];
    if (distance[n] >= SYSTEM_DISTANCE) {
      system += self;
      continue;
    }
    const type = nodeType[n];
    if (type === t.native) {
      native += self;
      if (nodeName[n] === bufferData) typedArrays += self;
    } else if (type === t.code) code += self;
    else if (type === t.string || type === t.consString || type === t.slicedString) strings += self;
    else if (type === t.object && nodeName[n] === arrayName && arrayName >= 0) {
      jsArrays += self;
      for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
        if (edgeType[e] !== t.eInternal || snapshot.raw.edgeName[e] !== elements) continue;
        const store = edgeTo[e];
        // The elements store counts with its array when nothing else holds it.
        if (snapshot.retainerStart[store + 1] - snapshot.retainerStart[store] === 1)
          jsArrays += size[store];
        break;
      }
    }
  }
  const total = snapshot.totalSize;
  return {
    total,
    code,
    strings,
    jsArrays,
    typedArrays,
    system,
    other: Math.max(0, total - code - strings - jsArrays - typedArrays - system),
    native,
  };
}
