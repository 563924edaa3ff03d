import type { SourceLocation, ScriptResolver } from './results';
import { NO_EDGE, type HeapSnapshot } from './snapshot';

/** A retainer path: `nodes[0]` is next to the roots, `edges[i]` leads from nodes[i] to nodes[i+1]. */
export interface RetainerPath {
  nodes: number[];
  edges: number[];
}

/**
 * Shortest retainer path from the roots to `n`: the distance BFS's own tree, so it is what
 * DevTools calls the shortest path (weak edges never count) and costs O(length).
 */
export function retainerPath(snapshot: HeapSnapshot, n: number, maxLength = 256): RetainerPath {
  const { parentEdge } = snapshot;
  const nodes = [n];
  const edges: number[] = [];
  let current = n;
  while (nodes.length < maxLength && parentEdge[current] !== NO_EDGE) {
    const e = parentEdge[current];
    current = snapshot.edgeSource(e);
    nodes.push(current);
    edges.push(e);
  }
  nodes.reverse();
  edges.reverse();
  return { nodes, edges };
}

/** True for V8 backing stores (elements, property arrays, hash tables) a learner never named. */
export function isBackingStore(snapshot: HeapSnapshot, n: number): boolean {
  const type = snapshot.raw.nodeType[n];
  const { hidden, array, code, objectShape } = snapshot.t;
  return type === hidden || type === array || type === code || type === objectShape;
}

/**
 * Readable name of a path's first node: `(global)` for the global object, the root's own name
 * for synthetic roots (`(Stack roots)`, `(Global handles)`), else its class.
 */
export function rootLabel(snapshot: HeapSnapshot, n: number): string {
  const name = snapshot.nodeName(n);
  const type = snapshot.raw.nodeType[n];
  if (type === snapshot.t.object && /^(global|Window)\b/.test(name)) return '(global)';
  if (type === snapshot.t.synthetic) return name;
  return snapshot.className(n);
}

/**
 * The readable steps of a path: root label, then one label per edge. Internal edges into
 * backing stores (`elements`, `table`, `properties`, `context`) are dropped: the element index
 * or variable name that follows says the same thing in the learner's terms.
 */
export function pathLabels(snapshot: HeapSnapshot, path: RetainerPath): string[] {
  const { eInternal, eHidden } = snapshot.t;
  const { synthetic } = snapshot.t;
  const { nodeType } = snapshot.raw;
  // Below the synthetic `(GC roots)` start at the most specific synthetic root.
  let first = 0;
  while (
    first < path.edges.length &&
    nodeType[path.nodes[first]] === synthetic &&
    nodeType[path.nodes[first + 1]] === synthetic
  )
    first++;
  const labels = [rootLabel(snapshot, path.nodes[first])];
  for (let i = first; i < path.edges.length; i++) {
    const e = path.edges[i];
    const type = snapshot.raw.edgeType[e];
    const to = path.nodes[i + 1];
    // The index of an object under a synthetic root means nothing to a learner.
    if (nodeType[path.nodes[i]] === synthetic) continue;
    const internal = type === eInternal || type === eHidden;
    if (internal && (isBackingStore(snapshot, to) || snapshot.edgeLabel(e) === 'context')) continue;
    labels.push(snapshot.edgeLabel(e));
  }
  return labels;
}

/** A path's labels with numbers and ids replaced by `*`, so siblings in a container match. */
export function normaliseLabels(labels: string[]): string[] {
  return labels.map((label) => (/^\d+$/.test(label) ? '*' : label.replace(/@\d+/g, '@*')));
}

/** The name of the script a closure comes from, found through `shared` → `script`. */
function scriptNameOf(snapshot: HeapSnapshot, closure: number): string | undefined {
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
