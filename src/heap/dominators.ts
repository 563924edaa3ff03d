import { Worker } from 'node:worker_threads';
import { abortError } from './errors';

/**
 * Input and output of the dominator computation. The arrays live on SharedArrayBuffers when
 * it runs in a worker, so nothing is copied; `dom` and `vertex` (length nodeCount + 1) receive
 * the 1-based immediate dominators and the DFS order.
 */
export interface DominatorJob {
  nodeCount: number;
  root: number;
  firstEdge: Uint32Array;
  edgeTo: Uint32Array;
  /** 1 for edges that can retain (DevTools' essential-edge rule). */
  essential: Uint8Array;
  retainerStart: Uint32Array;
  /** Retainer ordinals, top bit set when the retaining edge is essential. */
  retainerNode: Uint32Array;
  dom: Uint32Array;
  vertex: Uint32Array;
}

/**
 * Lengauer–Tarjan (simple version) with DevTools' treatment of unreachable nodes: nodes held
 * only by non-essential edges, then any still unvisited, hang off the root. Returns the number
 * of numbered vertices. Self-contained on purpose (no outer references): its source text is
 * also what the dominator worker runs.
 */
export function lengauerTarjan(job: DominatorJob): number {
  const { nodeCount, firstEdge, edgeTo, essential, retainerStart, retainerNode, dom, vertex } = job;
  const ESSENTIAL_BIT = 0x80000000;
  const NODE_BITS = 0x7fffffff;
  const size = nodeCount + 1;
  // 1-based vertex numbers; 0 means "none".
  const parent = new Uint32Array(size);
  const ancestor = new Uint32Array(size);
  const label = new Uint32Array(size);
  const semi = new Uint32Array(size);
  const nextEdge = new Uint32Array(size);
  let n = 0;
  const dfs = (rootV: number): void => {
    nextEdge[rootV - 1] = firstEdge[rootV - 1];
    let v = rootV;
    while (v !== 0) {
      if (semi[v] === 0) {
        semi[v] = ++n;
        vertex[n] = label[v] = v;
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
  const r = job.root + 1;
  dfs(r);
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      let onlyWeak = true;
      for (let i = retainerStart[v - 1]; i < retainerStart[v]; i++)
        if (retainerNode[i] >= ESSENTIAL_BIT) {
          onlyWeak = false;
          break;
        }
      if (onlyWeak) {
        parent[v] = r;
        dfs(v);
      }
    }
  }
  if (n < nodeCount) {
    for (let v = 1; v <= nodeCount; v++) {
      if (semi[v] !== 0) continue;
      parent[v] = r;
      semi[v] = ++n;
      vertex[n] = label[v] = v;
    }
  }
  // The DFS is done: its cursor array serves as eval()'s path-compression stack.
  const stack = nextEdge;
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
  // Buckets as linked lists in typed arrays instead of DevTools' Array of Sets.
  const bucketHead = new Uint32Array(size);
  const bucketNext = new Uint32Array(size);
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
    const b = vertex[semi[w]];
    bucketNext[w] = bucketHead[b];
    bucketHead[b] = w;
    const p = parent[w];
    ancestor[w] = p;
    for (let v = bucketHead[p]; v !== 0; v = bucketNext[v]) {
      const u = evaluate(v);
      dom[v] = semi[u] < semi[v] ? u : p;
    }
    bucketHead[p] = 0;
  }
  dom[0] = dom[r] = r;
  for (let i = 2; i <= n; i++) {
    const w = vertex[i];
    if (dom[w] !== vertex[semi[w]]) dom[w] = dom[dom[w]];
  }
  return n;
}

/**
 * Runs {@link lengauerTarjan} on a worker thread, so the caller's thread can compute
 * distances and class names meanwhile. The job's arrays must be on SharedArrayBuffers.
 */
export function lengauerTarjanInWorker(job: DominatorJob, signal?: AbortSignal): Promise<number> {
  const source = [
    "const { parentPort, workerData } = require('node:worker_threads');",
    `const lengauerTarjan = ${lengauerTarjan.toString()};`,
    'parentPort.postMessage(lengauerTarjan(workerData));',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: job });
    const onAbort = (): void => {
      void worker.terminate();
      reject(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    worker.once('message', (n: number) => {
      done();
      resolve(n);
      void worker.terminate();
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
}

/** A typed array on shared memory, so a worker can read or fill it without a copy. */
export function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}
