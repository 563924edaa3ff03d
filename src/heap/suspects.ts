import {
  isBackingStore,
  normaliseLabels,
  pathLabels,
  preferredRetainerPath,
  retainerPath,
  retentionRoutes,
  type RetainerPath,
} from './paths';
import { sourceLocation } from './locations';
import { allocationSite, traceLookup, tracedMember, type TraceLookup } from './allocations';
import type { LeakSuspect, ScriptResolver, SourceLocation } from './results';
import type { HeapSnapshot } from './snapshot';

interface Group {
  key: string;
  example: number;
  count: number;
  retainedSize: number;
  /** Hash tables (of Maps, Sets, dictionaries) holding the entries, to pair keys with values. */
  tables?: Set<number>;
}

/**
 * Leak suspects among `survivors` (a 0/1 flag per node of `snapshot`): the outermost surviving
 * objects (those not dominated by another survivor) grouped by the normalised shape of their
 * retainer path, e.g. `(global) → activeSessionsCache → *`. Grouping the outermost survivors
 * puts the growing container first instead of scattering its children over many rows. The
 * entries of a collection (array elements, a Map's or a Set's table, a dictionary-mode
 * object's properties) are one group per container shape, whatever their class: a key and its
 * value count as one entry and their sizes add up, so a session store's row holds its session
 * strings and not only their 48-byte ids.
 */
export function findSuspects(
  snapshot: HeapSnapshot,
  survivors: Uint8Array,
  options: { top?: number; resolveScript?: ScriptResolver; traces?: TraceLookup } = {},
): LeakSuspect[] {
  const { nodeCount, dominator, distance, retained, root } = snapshot;
  const { synthetic } = snapshot.t;
  const { nodeType } = snapshot.raw;
  const groups = new Map<string, Group>();
  const keyCache = new Map<number, string>();
  const collections = new Collections(snapshot);
  // Entries of hash tables, by group, to pair keys with values once the groups are ranked.
  const entryGroup = new Map<number, Group>();
  for (let n = 0; n < nodeCount; n++) {
    if (!survivors[n] || n === root) continue;
    if (nodeType[n] === synthetic || isBackingStore(snapshot, n)) continue;
    // Module scopes of a Node service are often held only by handles and the stack (system
    // roots), so those count too; unreachable leftovers do not.
    if (distance[n] < 0) continue;
    let owner = dominator[n];
    while (owner !== root && isBackingStore(snapshot, owner)) owner = dominator[owner];
    if (owner !== root && survivors[owner]) continue;
    // Entries of a collection: one group per container class and shape (a Map's keys and
    // values together). Anything else: one per class and path shape.
    // A key string is also held by V8's string table, a root: then its store names the owner.
    const container =
      owner === root || nodeType[owner] === synthetic ? collections.storeOwner(n) : owner;
    const store = container < 0 || survivors[container] ? -1 : collections.entryStore(n, container);
    const key =
      store < 0
        ? `${snapshot.classIndex[n]}\u0001${shapeKey(snapshot, n, keyCache)}`
        : `\u0002${snapshot.classIndex[container]}\u0001${shapeKey(snapshot, container, keyCache)}`;
    let group = groups.get(key);
    if (group) {
      group.count++;
      group.retainedSize += retained[n];
      if (retained[n] > retained[group.example]) group.example = n;
    } else {
      group = { key, example: n, count: 1, retainedSize: retained[n] };
      groups.set(key, group);
    }
    if (store >= 0 && collections.isHashTable(store)) {
      (group.tables ??= new Set()).add(store);
      entryGroup.set(n, group);
    }
  }
  const ranked = [...groups.values()].sort(bySizeThenCount);
  // Groups differ by their BFS paths, but two of them can show the same preferred path (the
  // BFS met one string through a timer list and its twin through the module): those are one
  // row. Describing stops at `top` rows, or after a bounded number of groups.
  const top = options.top ?? 10;
  const rows = new Map<string, LeakSuspect>();
  const examples = new Map<LeakSuspect, number>();
  for (const group of ranked.slice(0, top * MERGE_LOOKAHEAD)) {
    if (rows.size === top) break;
    if (group.tables) group.count -= pairedKeys(snapshot, group, entryGroup);
    const suspect = describe(snapshot, group, survivors, options.resolveScript, options.traces);
    const key = `${suspect.name}\u0001${normaliseLabels(suspect.path).join('\u0000')}`;
    const same = rows.get(key);
    if (same) {
      same.count += suspect.count;
      same.retainedSize += suspect.retainedSize;
    } else {
      rows.set(key, suspect);
      examples.set(suspect, group.example);
    }
  }
  // Container and other routes for the rows kept only: the route search is the costly part.
  for (const [suspect, example] of examples) {
    const path = preferredRetainerPath(snapshot, example);
    const container = containerClass(snapshot, path, survivors);
    if (container) suspect.container = container;
    suspect.routes = retentionRoutes(snapshot, example, path, survivors).map((route) =>
      pathLabels(snapshot, route),
    );
  }
  return [...rows.values()].sort(bySizeThenCount);
}

/**
 * How many of a group's entries are keys whose value is in the group too: a hash table keeps
 * an entry's key and value in adjacent slots (a Map's key, value, chain; a dictionary's key,
 * value, details; a Set has no values), so a member in slot i with another in slot i + 1 is
 * one entry, not two.
 */
function pairedKeys(snapshot: HeapSnapshot, group: Group, entryGroup: Map<number, Group>): number {
  const { firstEdge, edgeTo } = snapshot.raw;
  let pairs = 0;
  for (const table of group.tables ?? []) {
    let previousSlot = -2;
    let previousMember = false;
    for (let e = firstEdge[table]; e < firstEdge[table + 1]; e++) {
      const slot = Number(snapshot.edgeLabel(e));
      const member = entryGroup.get(edgeTo[e]) === group;
      if (member && previousMember && slot === previousSlot + 1) {
        pairs++;
        previousMember = false; // a value is never the next entry's key
      } else previousMember = member;
      previousSlot = slot;
    }
  }
  return pairs;
}

/** Class names of generic holders, which say less than the class of the object they belong to. */
const GENERIC_CLASSES = /^(Object|Array|Map|Set|\{.*\})$/;

/**
 * Class of the container that holds the group: the nearest non-surviving, non-backing-store
 * node above the example on its path. A generic collection held as the property of an object
 * of a named class is named by that class: `sessions` (an Object) in a `MemoryStore`,
 * `handlers` (an Array) in an `InterceptorManager`. Scopes are no container.
 */
function containerClass(
  snapshot: HeapSnapshot,
  path: RetainerPath,
  survivors: Uint8Array,
): string | undefined {
  const { object, synthetic } = snapshot.t;
  const { nodeType, edgeType } = snapshot.raw;
  for (let i = path.nodes.length - 2; i >= 0; i--) {
    const n = path.nodes[i];
    if (survivors[n] || isBackingStore(snapshot, n)) continue;
    if (nodeType[n] === synthetic || isScope(snapshot, n)) return undefined;
    const name = snapshot.className(n);
    if (!GENERIC_CLASSES.test(name) || i === 0) return name;
    const holder = path.nodes[i - 1];
    const named =
      edgeType[path.edges[i - 1]] === snapshot.t.eProperty &&
      nodeType[holder] === object &&
      !isScope(snapshot, holder) &&
      !GENERIC_CLASSES.test(snapshot.className(holder)) &&
      !/^(global|Window)\b/.test(snapshot.nodeName(holder));
    return named ? snapshot.className(holder) : name;
  }
  return undefined;
}

function isScope(snapshot: HeapSnapshot, n: number): boolean {
  return snapshot.nodeName(n).startsWith('system / ');
}

/** Retainers of a node looked at to recognise it as an entry: entries have one to three. */
const RETAINERS_LOOKED_AT = 16;

/** How a container keeps its entries: elements, a Map's or Set's table, dictionary properties. */
type StoreKind = 'elements' | 'table' | 'dictionary';

/** Recognises the entries of collections, with each container's stores looked up once. */
class Collections {
  /** Owners whose edges were read, and the entry stores found: store → its owner and kind. */
  private readonly scanned = new Set<number>();
  private readonly owners = new Map<number, number>();
  private readonly kinds = new Map<number, StoreKind>();

  constructor(private readonly snapshot: HeapSnapshot) {}

  /**
   * The backing store through which `owner` keeps `n` as an entry (an element, a key or value
   * of its table, a dictionary property), or -1 when `n` is a plain property or `owner` no
   * collection.
   */
  entryStore(n: number, owner: number): number {
    this.scan(owner);
    const { snapshot } = this;
    const first = snapshot.retainerStart[n];
    // Entries have a retainer or three (the store, the owner, the string table): bounded.
    const end = Math.min(snapshot.retainerStart[n + 1], first + RETAINERS_LOOKED_AT);
    for (let k = first; k < end; k++) {
      const r = snapshot.retainer(k);
      if (this.owners.get(r) === owner) return r;
    }
    return -1;
  }

  /**
   * For a node dominated by the roots: the object whose backing store holds it (a dictionary
   * holding a key string the string table holds too), or -1.
   */
  storeOwner(n: number): number {
    const { snapshot } = this;
    const first = snapshot.retainerStart[n];
    const end = Math.min(snapshot.retainerStart[n + 1], first + RETAINERS_LOOKED_AT);
    for (let k = first; k < end; k++) {
      const store = snapshot.retainer(k);
      if (!isBackingStore(snapshot, store)) continue;
      let owner = snapshot.dominator[store];
      while (owner !== snapshot.root && isBackingStore(snapshot, owner))
        owner = snapshot.dominator[owner];
      if (owner === snapshot.root) continue;
      this.scan(owner);
      if (this.owners.get(store) === owner) return owner;
    }
    return -1;
  }

  /** True for a store that keeps keys and values side by side (a table or a dictionary). */
  isHashTable(store: number): boolean {
    const kind = this.kinds.get(store);
    return kind === 'table' || kind === 'dictionary';
  }

  private scan(owner: number): void {
    if (this.scanned.has(owner)) return;
    this.scanned.add(owner);
    const { snapshot } = this;
    const { firstEdge, edgeTo, edgeType } = snapshot.raw;
    for (let e = firstEdge[owner]; e < firstEdge[owner + 1]; e++) {
      if (edgeType[e] !== snapshot.t.eInternal) continue;
      const to = edgeTo[e];
      if (!isBackingStore(snapshot, to)) continue;
      const name = snapshot.edgeLabel(e);
      let kind: StoreKind | undefined;
      if (name === 'elements' || name === 'table') kind = name;
      else if (name === 'properties' && this.isDictionary(owner, to)) kind = 'dictionary';
      if (!kind) continue;
      this.owners.set(to, owner);
      this.kinds.set(to, kind);
    }
  }

  /**
   * True if `store`, the properties of `owner`, is a dictionary (keys beside values) rather
   * than fast properties (values only): its first string in slot i is the name of the
   * property `owner` holds the slot i + 1 value by.
   */
  private isDictionary(owner: number, store: number): boolean {
    const { snapshot } = this;
    const { firstEdge, edgeTo, edgeName, nodeType, nodeName } = snapshot.raw;
    const { string, eProperty } = snapshot.t;
    for (let e = firstEdge[store]; e + 1 < firstEdge[store + 1]; e++) {
      const key = edgeTo[e];
      if (nodeType[key] !== string) continue;
      if (Number(snapshot.edgeLabel(e + 1)) !== Number(snapshot.edgeLabel(e)) + 1) return false;
      const value = edgeTo[e + 1];
      for (let p = firstEdge[owner]; p < firstEdge[owner + 1]; p++)
        if (edgeTo[p] === value && snapshot.raw.edgeType[p] === eProperty)
          return edgeName[p] === nodeName[key];
      return false;
    }
    return false;
  }
}

/** How many groups per row asked for may be described while merging rows that read alike. */
const MERGE_LOOKAHEAD = 4;

function bySizeThenCount(
  a: { retainedSize: number; count: number },
  b: { retainedSize: number; count: number },
): number {
  return b.retainedSize - a.retainedSize || b.count - a.count;
}

/** Normalised path shape of a node, memoised on the path's parents (siblings share them). */
function shapeKey(snapshot: HeapSnapshot, n: number, cache: Map<number, string>): string {
  const cached = cache.get(n);
  if (cached !== undefined) return cached;
  const path = retainerPath(snapshot, n);
  const labels = normaliseLabels(pathLabels(snapshot, path));
  const key = labels.join('\u0000');
  // Cache the parent's key too: the next sibling's path ends in the same container.
  if (path.nodes.length >= 2) {
    const parent = path.nodes[path.nodes.length - 2];
    if (!cache.has(parent)) {
      const parentPath = { nodes: path.nodes.slice(0, -1), edges: path.edges.slice(0, -1) };
      cache.set(parent, normaliseLabels(pathLabels(snapshot, parentPath)).join('\u0000'));
    }
  }
  return key;
}

function describe(
  snapshot: HeapSnapshot,
  group: Group,
  survivors: Uint8Array,
  resolveScript: ScriptResolver | undefined,
  traces = traceLookup(snapshot.raw),
): LeakSuspect {
  // Grouping keeps the cheap BFS shapes; only the one path shown is searched for its owner.
  const path = preferredRetainerPath(snapshot, group.example);
  const labels = pathLabels(snapshot, path);
  const owner = ownerName(snapshot, path, survivors);
  const suspect: LeakSuspect = {
    name: snapshot.className(group.example),
    count: group.count,
    retainedSize: group.retainedSize,
    path: labels,
  };
  if (owner) suspect.owner = owner;
  const location = locate(snapshot, group.example, path, resolveScript);
  if (location) suspect.location = location;
  // The stack as V8 recorded it; pinpointSuspects maps it and finds the user's line.
  if (traces) {
    const traced = tracedMember(snapshot, traces, group.example, path.nodes.at(-2), survivors);
    const allocation = allocationSite(traces, traced, resolveScript);
    if (allocation) suspect.allocation = allocation;
  }
  return suspect;
}

/**
 * The variable or property holding the group: the label of the edge into the nearest
 * non-surviving, non-backing-store node above the example on its path (the container).
 */
function ownerName(
  snapshot: HeapSnapshot,
  path: { nodes: number[]; edges: number[] },
  survivors: Uint8Array,
): string | undefined {
  const { eElement, eHidden, eInternal } = snapshot.t;
  for (let i = path.nodes.length - 2; i >= 0; i--) {
    const n = path.nodes[i];
    if (survivors[n] || isBackingStore(snapshot, n)) continue;
    // Walk further up past element/internal steps to the first named reference.
    for (let k = i - 1; k >= 0; k--) {
      const type = snapshot.raw.edgeType[path.edges[k]];
      if (type === eElement || type === eHidden || type === eInternal) continue;
      return snapshot.edgeLabel(path.edges[k]);
    }
    return undefined;
  }
  return undefined;
}

/**
 * Where to send the learner: the leaked objects' constructor if the snapshot locates it,
 * else the function whose scope holds the container (module-level `const cache = ...`).
 */
function locate(
  snapshot: HeapSnapshot,
  example: number,
  path: { nodes: number[]; edges: number[] },
  resolveScript: ScriptResolver | undefined,
): SourceLocation | undefined {
  const own = sourceLocation(snapshot, example, resolveScript);
  if (own && !own.file.startsWith('node:')) return own;
  const { eContext, closure } = snapshot.t;
  const { retainerStart } = snapshot;
  for (let i = path.edges.length - 1; i >= 0; i--) {
    if (snapshot.raw.edgeType[path.edges[i]] !== eContext) continue;
    const context = path.nodes[i];
    for (let k = retainerStart[context]; k < retainerStart[context + 1]; k++) {
      const r = snapshot.retainer(k);
      if (snapshot.raw.nodeType[r] !== closure) continue;
      const location = sourceLocation(snapshot, r, resolveScript);
      if (location) return location;
    }
  }
  return own;
}
