import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError } from '../common/abort';

/** Top bit of a retainer entry: the retaining edge is essential (can retain) for dominators. */
export const ESSENTIAL_BIT = 0x80000000;
/** The node ordinal in a retainer entry, without {@link ESSENTIAL_BIT}. */
export const NODE_BITS = 0x7fffffff;

/**
 * The graph the dominators are computed on. Its arrays live on SharedArrayBuffers when the
 * computation runs in a worker, so nothing is copied.
 */
export interface DominatorGraph {
  nodeCount: number;
  root: number;
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  /** 1 for edges that can retain (DevTools' essential-edge rule). */
  essential: Uint8Array;
  /** 1 for nodes at least one essential edge points to. */
  held: Uint8Array;
}

/** The retainer index, which the second phase needs and which is built during the first. */
export interface DominatorRetainers {
  retainerStart: Uint32Array;
  /** Retainer ordinals, top bit set when the retaining edge is essential. */
  retainerNode: Uint32Array;
}

/** State between the two phases: the depth-first numbering. Arrays are 1-based (0 = none). */
export interface DominatorSearch {
  graph: DominatorGraph;
  /** Vertex numbered i (DFS preorder). Shared memory: it is also the result's order. */
  vertex: Uint32Array;
  /** DFS parent of each vertex; the second phase overwrites it with the immediate dominator. */
  parent: Uint32Array;
  /** DFS number of each vertex; becomes its semidominator's number in the second phase. */
  semi: Uint32Array;
  /** The search's cursor per vertex; the second phase reuses it as a stack. */
  scratch: Uint32Array;
  count: number;
}

/** Immediate dominators (1-based, `dom[v]` for vertex v) and the vertices in DFS order. */
export interface DominatorResult {
  dom: Uint32Array;
  vertex: Uint32Array;
  count: number;
  /**
   * The second half's working memory, 8 bytes a vertex, free again: the retained sizes are
   * written into it, so the peak memory does not grow by another 8 bytes a node at the end.
   */
  work: SharedArrayBuffer;
}

/**
 * First half of Lengauer–Tarjan (simple version): the depth-first numbering over essential
 * edges, with DevTools' treatment of unreachable nodes: nodes held only by non-essential
 * edges, then any still unvisited, hang off the root. It needs no retainer index, so it runs
 * while that index is being built.
 */
export function dominatorSearch(graph: DominatorGraph): DominatorSearch {
  const { nodeCount, firstEdge, edgeTo, essential, held } = graph;
  const size = nodeCount + 1;
  const shared = (length: number): Uint32Array =>
    new Uint32Array(new SharedArrayBuffer(length * 4));
  const parent = shared(size);
  const semi = new Uint32Array(size);
  const vertex = shared(size);
  const nextEdge = new Uint32Array(size);
  let n = 0;
  const dfs = (rootV: number): void => {
    nextEdge[rootV - 1] = firstEdge[rootV - 1];
    let v = rootV;
    while (v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++n;
        vertex[n] = v;
      }
      let vNext = parent[v];
      const o = v - 1;
      const end = firstEdge[o + 1];
      for (let e = nextEdge[o]; e < end; e++) {
        if (!essential[e]) continue;
        const w = edgeTo[e] + 1;
        if (semi[w] === 0) {
          parent[w] = v;
          nextEdge[w - 1] = firstEdge[w - 1];
          nextEdge[o] = e + 1;
          vNext = w;
          break;
        }
      }
      if (vNext === parent[v]) nextEdge[o] = end;
      v = vNext;
    }
  };
  const r = graph.root + 1;
  dfs(r);
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0 || held[v - 1]) continue;
      parent[v] = r;
      dfs(v);
    }
  }
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      parent[v] = r;
      semi[v] = ++n;
      vertex[n] = v;
    }
  }
  return { graph, vertex, parent, semi, scratch: nextEdge, count: n };
}

/**
 * Second half: semidominators over the retainers as in Lengauer–Tarjan, then the immediate
 * dominators by SEMI-NCA (Georgiadis, Tarjan and Werneck): a vertex's immediate dominator is
 * the nearest ancestor of its DFS parent, on the dominator tree built so far, numbered no
 * higher than its semidominator. That replaces Lengauer–Tarjan's buckets (8 bytes a vertex
 * and an extra path evaluation each) with one short walk per vertex. The result is written
 * over the search's `parent` array.
 */
export function dominatorTree(
  search: DominatorSearch,
  retainers: DominatorRetainers,
): DominatorResult {
  const { retainerStart, retainerNode } = retainers;
  const { vertex, semi, count: n } = search;
  const size = search.graph.nodeCount + 1;
  const r = search.graph.root + 1;
  const parent = search.parent;
  // Immediate dominators by DFS number, starting from the DFS parent's number (`semi` still
  // holds DFS numbers here).
  const idom = new Uint32Array(n + 1);
  for (let i = 2; i <= n; i++) idom[i] = semi[parent[vertex[i]]];
  // Both in one buffer, which the retained sizes take over afterwards (see the result).
  const work = new SharedArrayBuffer(size * 8);
  const ancestor = new Uint32Array(work, 0, size);
  const label = new Uint32Array(work, size * 4, size);
  for (let v = 1; v < size; v++) label[v] = v;
  const stack = search.scratch;
  const evaluate = (v: number): number => {
    if (ancestor[v] === 0) return v;
    let sp = 0;
    let x = v;
    while (ancestor[ancestor[x]] !== 0) {
      stack[++sp] = x;
      x = ancestor[x];
    }
    while (sp > 0) {
      const w = stack[sp--];
      if (semi[label[ancestor[w]]] < semi[label[w]]) label[w] = label[ancestor[w]];
      ancestor[w] = ancestor[ancestor[w]];
    }
    return label[v];
  };
  for (let i = n; i >= 2; i--) {
    const w = vertex[i];
    const wo = w - 1;
    let orphan = true;
    for (let k = retainerStart[wo], end = retainerStart[wo + 1]; k < end; k++) {
      const x = retainerNode[k];
      if (x < ESSENTIAL_BIT) continue;
      orphan = false;
      const v = (x & NODE_BITS) + 1;
      // Inline fast path of eval(): unlinked vertices evaluate to themselves.
      const u = ancestor[v] === 0 ? v : evaluate(v);
      if (semi[u] < semi[w]) semi[w] = semi[u];
    }
    if (orphan) semi[w] = semi[r];
    ancestor[w] = parent[w];
  }
  // In DFS order, so the dominators of every ancestor are final when a vertex walks them.
  for (let i = 2; i <= n; i++) {
    const s = semi[vertex[i]];
    let d = idom[i];
    while (d > s) d = idom[d];
    idom[i] = d;
  }
  const dom = parent;
  for (let i = 2; i <= n; i++) dom[vertex[i]] = vertex[idom[i]];
  dom[0] = dom[r] = r;
  return { dom, vertex, count: n, work };
}

/** The dominator tree as the snapshot keeps it, with each node's retained size. */
export interface RetainedSizes {
  /** Immediate dominator of each node, by node ordinal (the root dominates itself). */
  dominator: Uint32Array;
  retained: Float64Array;
}

/**
 * Retained sizes from the dominators and the final self sizes: each node's size is added to
 * its dominator's, children first (reverse DFS order). Turns `dom` into 0-based ordinals in
 * place. The worker runs it once the caller has settled the self sizes, while the caller's
 * thread goes on with other steps.
 */
export function retainedSizes(result: DominatorResult, selfSize: Uint32Array): RetainedSizes {
  const { dom, vertex, count, work } = result;
  const nodeCount = selfSize.length;
  // Shift to 0-based ordinals in place (reads o + 1 before the next step overwrites it).
  for (let o = 0; o < nodeCount; o++) dom[o] = dom[o + 1] - 1;
  const dominator = dom.subarray(0, nodeCount);
  const retained = new Float64Array(work, 0, nodeCount);
  for (let o = 0; o < nodeCount; o++) retained[o] = selfSize[o];
  for (let i = count; i > 1; i--) {
    const o = vertex[i] - 1;
    retained[dominator[o]] += retained[o];
  }
  return { dominator, retained };
}

/** All three steps in this thread. */
export function dominatorsInProcess(
  graph: DominatorGraph,
  retainers: DominatorRetainers,
  selfSize: Uint32Array,
): RetainedSizes {
  return retainedSizes(dominatorTree(dominatorSearch(graph), retainers), selfSize);
}

/** A dominator worker, started ahead of its work so that its start-up overlaps the caller's. */
export interface DominatorWorker {
  /** Hands over the graph: the worker starts the depth-first search. */
  search(graph: DominatorGraph): void;
  /** Hands over the retainer index: the worker computes the dominators. After search(). */
  tree(retainers: DominatorRetainers): void;
  /**
   * Hands over the final self sizes; resolves to the dominators and retained sizes. Call once,
   * after tree(): the sizes may arrive while the dominators are still being computed.
   */
  finish(selfSize: Uint32Array): Promise<RetainedSizes>;
  /** Ends the worker (also when finish() was never called). */
  stop(): void;
}

/**
 * Starts a worker for the dominators, so the caller's thread can build the retainer index and
 * then compute distances and class names meanwhile. Spawning and compiling take tens of
 * milliseconds, which is why it is started before the graph is ready. The arrays must be on
 * SharedArrayBuffers: posting them shares them, without a copy. `workerScript` is
 * dist/dominatorWorker.js next to the bundle that runs this, or the transpiled
 * src/heap/dominatorWorker.js next to this module in tests.
 */
export function startDominatorWorker(
  signal?: AbortSignal,
  workerScript = join(__dirname, 'dominatorWorker.js'),
): DominatorWorker {
  const worker = new Worker(workerScript);
  const result = new Promise<RetainedSizes>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (dominators: RetainedSizes) => {
      done();
      resolve(dominators);
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
    worker.once('exit', (code) => {
      done();
      reject(new Error(`the dominator worker exited with code ${code}`));
    });
  });
  // A worker that fails before finish() is called reports it there.
  result.catch(() => undefined);
  return {
    search: (graph) => worker.postMessage(graph),
    tree: (retainers) => worker.postMessage(retainers),
    finish(selfSize) {
      worker.postMessage(selfSize);
      return result.finally(() => void worker.terminate());
    },
    stop: () => void worker.terminate(),
  };
}

/** A typed array on shared memory, so a worker can read or fill it without a copy. */
export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}
