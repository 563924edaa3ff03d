import { NO_EDGE } from './distances';
import { scriptNameOf } from './locations';
import type { HeapSnapshot } from './snapshot';

/**
 * A retainer path: `nodes[0]` is where it starts (next to the roots, or for
 * {@link preferredRetainerPath} the global object or a module scope), `edges[i]` leads from
 * nodes[i] to nodes[i+1].
 */
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

/** How far {@link preferredRetainerPath} may search from one node before it keeps the BFS path. */
export interface PathSearchLimits {
  /** Nodes settled. */
  maxNodes: number;
  /** Edges read while looking for the edges into settled nodes. */
  maxEdges: number;
}

// A leak's owner in module scope is found within a handful of nodes (5 on the 140 MiB bench
// heap); searches that cannot beat the BFS path stop at its cost, after ~2,000 nodes there.
// The limits only cap pathological graphs.
const SEARCH_LIMITS: PathSearchLimits = { maxNodes: 20_000, maxEdges: 1_000_000 };

// Costs in quarter steps. A step the learner reads (variable, property, index) costs one STEP;
// links pathLabels hides (into backing stores, closure → scope) nearly nothing, so a path is
// as long as it reads. Machinery a learner cannot name costs several steps.
const STEP = 4;
const HIDDEN_LINK = 1;
const INTERNAL_LINK = 3 * STEP; // bound_this, previous, value, extension...
const SYMBOL_KEY = 2 * STEP; // extra for a `<symbol …>` key: Node's internals use them
const MACHINERY = 4 * STEP; // extra for a link out of compiled code or an object shape
const NODE_SCOPE = 4 * STEP; // extra for a BFS path through a scope of Node's own JavaScript
const SYSTEM_ROOT = 16 * STEP; // starting at a synthetic root ((Global handles), stack)
/** Retainers with this many edges are indexed by target when the search meets them twice. */
const INDEXED_DEGREE = 256;
/** Above this many retainers, a node's retainers are followed only PER_KIND of each kind. */
const SAMPLED_FAN_IN = 64;
const PER_KIND = 8;

/**
 * The example path a learner should read: among the retainer paths to `n` that start at the
 * global object (or `process`, one of its properties) or at a module's top-level scope and pass
 * through no scope of Node's own JavaScript, the cheapest, where readable steps (variables,
 * properties, indexes) cost one each and machinery (`bound_this`, `previous`, `<symbol>` keys,
 * V8 internals) several. The BFS path runs through whatever the breadth-first search met first,
 * often the timer list of the service's http server, while the owner a learner named sits in
 * module scope (`(module service.js) → activeSessionsCache → 4711`).
 *
 * A best-first search backwards over the retainers, bounded by `limits` and by the cost of
 * the BFS path (whose passes through Node's scopes count extra), which it keeps unless it
 * finds a strictly cheaper path.
 */
export function preferredRetainerPath(
  snapshot: HeapSnapshot,
  n: number,
  limits: PathSearchLimits = SEARCH_LIMITS,
): RetainerPath {
  // Suspects ask for each example's path twice (to show it, then for its routes): recent
  // answers are kept. Snapshots do not change once analysed, so they cannot go stale.
  const cache = limits === SEARCH_LIMITS ? recentPaths(snapshot) : undefined;
  const known = cache?.get(n);
  if (known) return known;
  const fallback = retainerPath(snapshot, n);
  const costs = new PathCosts(snapshot);
  const path = searchPath(snapshot, costs, n, limits, costs.ofPath(fallback)) ?? fallback;
  if (cache && cache.size >= RECENT_PATHS) cache.clear();
  cache?.set(n, path);
  return path;
}

/** Preferred paths kept per snapshot: more than a hunt's suspects are described. */
const RECENT_PATHS = 256;
const recent = new WeakMap<HeapSnapshot, Map<number, RetainerPath>>();

function recentPaths(snapshot: HeapSnapshot): Map<number, RetainerPath> {
  let paths = recent.get(snapshot);
  if (!paths) recent.set(snapshot, (paths = new Map()));
  return paths;
}

// Other routes are looked for within the shown path's cost plus this much, and a smaller budget.
const ROUTE_SLACK = 12 * STEP;
const ROUTE_LIMITS: PathSearchLimits = { maxNodes: 4_000, maxEdges: 200_000 };

/**
 * Up to `max` retention routes of `n` that go through different holders, `shown` first: e.g.
 * a logger held by a module's array and by the `uncaughtException` listener of its own
 * exception handler. A route's holder is the last object before `n` that is neither a backing
 * store nor `leaked` (objects of the leak itself, like the logger that holds its own stream,
 * are part of the same route). Each next route is the preferred path that avoids every holder
 * found so far, so the same holder reached through an alias (`app` and `module.exports`) is
 * one route, not two; where no readable start is within reach the BFS path counts if it
 * avoids them too (a timer that keeps the object is worth knowing). Bounded: a smaller search
 * budget than the shown path's.
 */
export function retentionRoutes(
  snapshot: HeapSnapshot,
  n: number,
  shown: RetainerPath,
  leaked?: Uint8Array,
  max = 3,
): RetainerPath[] {
  const holderOf = (path: RetainerPath): number => routeHolder(snapshot, path, leaked);
  const routes = [shown];
  const avoid = new Set<number>();
  const first = holderOf(shown);
  if (first < 0) return routes;
  avoid.add(first);
  const costs = new PathCosts(snapshot);
  const bound = costs.ofPath(shown) + ROUTE_SLACK;
  const bfs = retainerPath(snapshot, n);
  while (routes.length < max) {
    let route = searchPath(snapshot, costs, n, ROUTE_LIMITS, bound, avoid);
    if (!route && !bfs.nodes.some((m) => avoid.has(m)) && holderOf(bfs) >= 0) route = bfs;
    if (!route) break;
    const holder = holderOf(route);
    if (holder < 0 || avoid.has(holder)) break;
    routes.push(route);
    avoid.add(holder);
  }
  return routes;
}

/** The last node before a path's end that is neither a backing store nor leaked, or -1. */
function routeHolder(snapshot: HeapSnapshot, path: RetainerPath, leaked?: Uint8Array): number {
  for (let i = path.nodes.length - 2; i >= 0; i--) {
    const m = path.nodes[i];
    if (snapshot.raw.nodeType[m] === snapshot.t.synthetic) return -1;
    if (!isBackingStore(snapshot, m) && !leaked?.[m]) return m;
  }
  return -1;
}

/**
 * The cheapest path to `n` from a start ({@link PathCosts.isStart}) that costs less than
 * `bound` and passes through no node in `avoid`, or undefined.
 */
function searchPath(
  snapshot: HeapSnapshot,
  costs: PathCosts,
  n: number,
  limits: PathSearchLimits,
  bound: number,
  avoid?: ReadonlySet<number>,
): RetainerPath | undefined {
  costs.read = 0;
  const { edgeTo, edgeName, nodeType } = snapshot.raw;
  const { distance, classIndex } = snapshot;
  const { synthetic } = snapshot.t;
  const cost = new Map<number, number>([[n, 0]]);
  // Per reached node, the cheapest edge from it towards `n`.
  const via = new Map<number, number>();
  const queue = new MinQueue();
  queue.push(0, n);
  let start = -1;
  let settled = 0;
  while (queue.size > 0) {
    const d = queue.peekCost();
    const m = queue.pop();
    if (d !== cost.get(m)) continue; // a stale entry: `m` was reached more cheaply since
    if (d >= bound) break;
    // Costs only grow along the queue: the first start taken is the cheapest.
    if (m !== n && costs.isStart(m)) {
      start = m;
      break;
    }
    if (++settled > limits.maxNodes || costs.read > limits.maxEdges) break;
    // Node's own scopes (timer lists, `process`, the loader) name nothing the learner wrote:
    // a path through them is no better than the BFS one, which stays when no other exists.
    if (costs.isNodeScope(m)) continue;
    let previous = -1;
    const first = snapshot.retainerStart[m];
    const end = snapshot.retainerStart[m + 1];
    // A node shared by many alike (a prototype of thousands of requests, a service every
    // connection's closure captures as `this`) leads back through each of them the same way:
    // following a few of each kind is enough and keeps the search from reading them all. Kinds
    // are classes, except that scopes count per variable: the one holding `live` among
    // thousands holding `this` must not be dropped.
    const kinds = end - first > SAMPLED_FAN_IN ? new Map<number, number>() : undefined;
    const sampled = (kind: number): boolean => {
      const seen = kinds?.get(kind) ?? 0;
      kinds?.set(kind, seen + 1);
      return seen >= PER_KIND;
    };
    for (let k = first; k < end; k++) {
      const r = snapshot.retainer(k);
      // Slots are sorted by retainer: one look at the retainer's edges finds all its links.
      if (r === previous) continue;
      previous = r;
      if (nodeType[r] === synthetic || distance[r] < 0 || avoid?.has(r)) continue;
      const scope = kinds !== undefined && snapshot.className(r) === 'system / Context';
      if (kinds && !scope && sampled(classIndex[r])) continue;
      const edge = costs.cheapestEdge(r, m);
      if (edge < 0) continue;
      // Variable names are string indexes like classes: negative keys keep them apart.
      if (scope && sampled(-1 - edgeName[edge])) continue;
      // A start whose label reads longer (`(global) → process`) costs that on arrival.
      const next = d + costs.edge(edge, r, m) + costs.startCost(r);
      const known = cost.get(r);
      if (known !== undefined && known <= next) continue;
      cost.set(r, next);
      via.set(r, edge);
      queue.push(next, r);
    }
  }
  if (start < 0) return undefined;
  const nodes = [start];
  const edges: number[] = [];
  for (let current = start; current !== n;) {
    const e = via.get(current) as number;
    edges.push(e);
    current = edgeTo[e];
    nodes.push(current);
  }
  return { nodes, edges };
}

/** The cost model of {@link preferredRetainerPath}, with the scope look-ups it needs memoised. */
class PathCosts {
  private readonly scripts = new Map<number, string | undefined>();

  /** Edges read by {@link cheapestEdge} so far. */
  read = 0;
  private readonly visits = new Map<number, number>();
  private readonly byTarget = new Map<number, Map<number, number>>();

  private readonly process: number;
  private readonly require: number;

  constructor(private readonly snapshot: HeapSnapshot) {
    this.process = processObject(snapshot);
    [this.require] = snapshot.strings.indexesOf(['require']);
  }

  /**
   * The cheapest retaining edge from `r` to `m`, or -1. A large retainer met again (the global
   * object, a module table holding many of the nodes searched) is indexed by target once,
   * instead of being read again for each of its children.
   */
  cheapestEdge(r: number, m: number): number {
    const { firstEdge, edgeTo } = this.snapshot.raw;
    const begin = firstEdge[r];
    const end = firstEdge[r + 1];
    let index = this.byTarget.get(r);
    if (!index && end - begin >= INDEXED_DEGREE) {
      const visits = (this.visits.get(r) ?? 0) + 1;
      this.visits.set(r, visits);
      if (visits > 1) {
        index = new Map();
        for (let e = begin; e < end; e++) {
          const to = edgeTo[e];
          const c = this.edge(e, r, to);
          const known = index.get(to);
          if (c >= 0 && (known === undefined || c < this.edge(known, r, to))) index.set(to, e);
        }
        this.read += end - begin;
        this.byTarget.set(r, index);
      }
    }
    if (index) return index.get(m) ?? -1;
    this.read += end - begin;
    let edge = -1;
    let step = 0;
    for (let e = begin; e < end; e++) {
      if (edgeTo[e] !== m) continue;
      const c = this.edge(e, r, m);
      if (c >= 0 && (edge < 0 || c < step)) {
        edge = e;
        step = c;
      }
    }
    return edge;
  }

  /**
   * Where a readable path may start: the global object, `process` (a property of it, reached
   * otherwise only through Node's scopes), or a module's top-level scope.
   */
  isStart(n: number): boolean {
    const { snapshot } = this;
    if (snapshot.distance[n] === 1 && snapshot.raw.nodeType[n] !== snapshot.t.synthetic)
      return true;
    if (n === this.process) return true;
    const script = this.scopeScript(n);
    return script !== undefined && isModuleScope(snapshot, n, script);
  }

  /** What a start adds to a path: `(global) → process` reads one step longer than `(global)`. */
  startCost(n: number): number {
    return n === this.process ? STEP : 0;
  }

  /** True for a scope of Node's own JavaScript (`node:…` scripts). */
  isNodeScope(n: number): boolean {
    return this.scopeScript(n)?.startsWith('node:') ?? false;
  }

  /**
   * Cost of edge `e` from `from` to `to`, or -1 if a preferred path may not take it: weak
   * edges and shortcuts do not retain, and a `__proto__` is shared by every instance, so a
   * path through it names an arbitrary one.
   */
  edge(e: number, from: number, to: number): number {
    const { snapshot } = this;
    const { eWeak, eShortcut, eInternal, eHidden, eProperty, code, objectShape, array } =
      snapshot.t;
    const type = snapshot.raw.edgeType[e];
    if (type === eWeak || type === eShortcut) return -1;
    const fromType = snapshot.raw.nodeType[from];
    let cost = STEP;
    if (type === eInternal || type === eHidden) {
      // Into a backing store or a closure's scope: hidden by pathLabels. Out of an array (the
      // table of a Map or Set, elements): the entry's slot, a step like an index. Else machinery.
      if (isBackingStore(snapshot, to) || snapshot.edgeLabel(e) === 'context') cost = HIDDEN_LINK;
      else if (fromType !== array) cost = INTERNAL_LINK;
    } else if (type === eProperty) {
      const name = snapshot.edgeLabel(e);
      if (name === '__proto__') return -1;
      if (name.startsWith('<symbol')) cost += SYMBOL_KEY;
    }
    if (fromType === code || fromType === objectShape) cost += MACHINERY;
    // A module's `require` leads into Node's loader (`require → main`, `require → cache`):
    // `(global) → process → mainModule` names the same module without a dependency's scope.
    else if (fromType === snapshot.t.closure && snapshot.raw.nodeName[from] === this.require)
      cost += MACHINERY;
    return cost;
  }

  /** Cost of a whole path the same way, so the BFS path bounds the search. */
  ofPath(path: RetainerPath): number {
    const { snapshot } = this;
    const { synthetic } = snapshot.t;
    const { nodeType } = snapshot.raw;
    const begin = path.nodes[0];
    let total = this.isStart(begin) ? this.startCost(begin) : SYSTEM_ROOT;
    for (let i = 0; i < path.edges.length; i++) {
      const from = path.nodes[i];
      const to = path.nodes[i + 1];
      if (nodeType[from] === synthetic) continue;
      // Edges a preferred path may not take count as machinery here.
      const cost = this.edge(path.edges[i], from, to);
      total += (cost < 0 ? INTERNAL_LINK : cost) + (this.isNodeScope(to) ? NODE_SCOPE : 0);
    }
    return total;
  }

  private scopeScript(n: number): string | undefined {
    if (this.scripts.has(n)) return this.scripts.get(n);
    const script = scopeScript(this.snapshot, n);
    this.scripts.set(n, script);
    return script;
  }
}

const processObjects = new WeakMap<HeapSnapshot, number>();

/**
 * Node's `process` object, or -1: the object named `process` that a scope holds as the
 * variable `process` (Node's own modules all do). Found once per snapshot.
 */
function processObject(snapshot: HeapSnapshot): number {
  const known = processObjects.get(snapshot);
  if (known !== undefined) return known;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType, edgeName } = snapshot.raw;
  const { object, eContext } = snapshot.t;
  // Snapshots keep each string once: one index names both the object and the variable.
  const [name] = snapshot.strings.indexesOf(['process']);
  let found = -1;
  for (let n = 0; n < snapshot.nodeCount && found < 0 && name >= 0; n++) {
    if (nodeType[n] !== object || nodeName[n] !== name) continue;
    for (let k = snapshot.retainerStart[n]; k < snapshot.retainerStart[n + 1] && found < 0; k++) {
      const r = snapshot.retainer(k);
      for (let e = firstEdge[r]; e < firstEdge[r + 1]; e++)
        if (edgeTo[e] === n && edgeType[e] === eContext && edgeName[e] === name) {
          found = n;
          break;
        }
    }
  }
  processObjects.set(snapshot, found);
  return found;
}

/** Script of the closures over `n` if `n` is a scope (`system / Context`), else undefined. */
function scopeScript(snapshot: HeapSnapshot, n: number): string | undefined {
  if (snapshot.raw.nodeType[n] !== snapshot.t.object) return undefined;
  if (snapshot.nodeName(n) !== 'system / Context') return undefined;
  const { closure } = snapshot.t;
  for (let k = snapshot.retainerStart[n]; k < snapshot.retainerStart[n + 1]; k++) {
    const r = snapshot.retainer(k);
    if (snapshot.raw.nodeType[r] !== closure) continue;
    const script = scriptNameOf(snapshot, r);
    if (script) return script;
  }
  return undefined;
}

/**
 * True if scope `n`, whose closures come from `script`, is the top-level scope of a module
 * the learner wrote (not one of Node's own `node:…` scripts). Both kinds sit right below the
 * native context. An ES module's scope says so (its extension is the SourceTextModule); a
 * CommonJS wrapper's does not, and a function whose outer scopes hold no variables sits there
 * too. The wrapper is anonymous and runs once: its ScopeInfo names the function "" and belongs
 * to this scope alone, where a function's (`connect`) carries its name and serves every call.
 */
function isModuleScope(snapshot: HeapSnapshot, n: number, script: string): boolean {
  if (script.startsWith('node:')) return false;
  const { edgeType, edgeTo, firstEdge } = snapshot.raw;
  let previous = -1;
  let extension = -1;
  let scopeInfo = -1;
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
    if (edgeType[e] !== snapshot.t.eInternal) continue;
    const name = snapshot.edgeLabel(e);
    if (name === 'previous') previous = edgeTo[e];
    else if (name === 'extension') extension = edgeTo[e];
    else if (name === 'scope_info') scopeInfo = edgeTo[e];
  }
  if (previous < 0 || snapshot.nodeName(previous) !== 'system / NativeContext') return false;
  if (extension >= 0 && snapshot.nodeName(extension) === 'system / SourceTextModule') return true;
  return scopeInfo >= 0 && isWrapperScopeInfo(snapshot, scopeInfo);
}

/** An anonymous function's ScopeInfo used by a single scope: the CommonJS module wrapper's. */
function isWrapperScopeInfo(snapshot: HeapSnapshot, scopeInfo: number): boolean {
  const { edgeTo, firstEdge, nodeType } = snapshot.raw;
  let anonymous = false;
  for (let e = firstEdge[scopeInfo]; e < firstEdge[scopeInfo + 1] && !anonymous; e++)
    anonymous = nodeType[edgeTo[e]] === snapshot.t.string && snapshot.nodeName(edgeTo[e]) === '';
  if (!anonymous) return false;
  let scopes = 0;
  for (let k = snapshot.retainerStart[scopeInfo]; k < snapshot.retainerStart[scopeInfo + 1]; k++)
    if (snapshot.nodeName(snapshot.retainer(k)) === 'system / Context' && ++scopes > 1)
      return false;
  return true;
}

/** `(module service.js)` for a module's top-level scope, else undefined. */
export function moduleScopeLabel(snapshot: HeapSnapshot, n: number): string | undefined {
  const script = scopeScript(snapshot, n);
  if (script === undefined || !isModuleScope(snapshot, n, script)) return undefined;
  const file = script.slice(Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\')) + 1);
  return `(module ${file || script})`;
}

/** A binary min-heap of nodes by cost (costs are small integers, ties in any order). */
class MinQueue {
  private readonly costs: number[] = [];
  private readonly nodes: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  peekCost(): number {
    return this.costs[0];
  }

  push(cost: number, node: number): void {
    const { costs, nodes } = this;
    let i = nodes.length;
    costs.push(cost);
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (costs[parent] <= cost) break;
      costs[i] = costs[parent];
      nodes[i] = nodes[parent];
      i = parent;
    }
    costs[i] = cost;
    nodes[i] = node;
  }

  /** Removes and returns the node with the lowest cost. */
  pop(): number {
    const { costs, nodes } = this;
    const top = nodes[0];
    const lastCost = costs.pop() as number;
    const lastNode = nodes.pop() as number;
    const size = nodes.length;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && costs[child + 1] < costs[child]) child++;
      if (costs[child] >= lastCost) break;
      costs[i] = costs[child];
      nodes[i] = nodes[child];
      i = child;
    }
    costs[i] = lastCost;
    nodes[i] = lastNode;
    return top;
  }
}

/** True for V8 backing stores (elements, property arrays, hash tables) a learner never named. */
export function isBackingStore(snapshot: HeapSnapshot, n: number): boolean {
  const type = snapshot.raw.nodeType[n];
  const { hidden, array, code, objectShape } = snapshot.t;
  return type === hidden || type === array || type === code || type === objectShape;
}

/**
 * Readable name of a path's first node: `(global)` for the global object, the root's own name
 * for synthetic roots (`(Stack roots)`, `(Global handles)`), `(module service.js)` for a
 * module's top-level scope, else its class.
 */
export function rootLabel(snapshot: HeapSnapshot, n: number): string {
  const name = snapshot.nodeName(n);
  const type = snapshot.raw.nodeType[n];
  if (type === snapshot.t.object && /^(global|Window)\b/.test(name)) return '(global)';
  if (type === snapshot.t.synthetic) return name;
  return moduleScopeLabel(snapshot, n) ?? snapshot.className(n);
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
  const begin = path.nodes[first];
  const labels =
    begin === processObject(snapshot) ? ['(global)', 'process'] : [rootLabel(snapshot, begin)];
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

/**
 * A path's labels with numbers and ids replaced by `*`, so siblings in a container match, and
 * runs of one label (`next → next`, a linked list's hops) made one step, so the members of one
 * list at different depths are one suspect, not rows that read alike.
 */
export function normaliseLabels(labels: string[]): string[] {
  const normal = labels.map((label) => (/^\d+$/.test(label) ? '*' : label.replace(/@\d+/g, '@*')));
  return normal.filter((label, i) => i === 0 || label !== normal[i - 1]);
}
