import {
  isBackingStore,
  normaliseLabels,
  pathLabels,
  preferredRetainerPath,
  retainerPath,
  sourceLocation,
} from './paths';
import type { LeakSuspect, ScriptResolver, SourceLocation } from './results';
import type { HeapSnapshot } from './snapshot';

interface Group {
  key: string;
  example: number;
  count: number;
  retainedSize: number;
}

/**
 * Leak suspects among `survivors` (a 0/1 flag per node of `snapshot`): the outermost surviving
 * objects (those not dominated by another survivor) grouped by the normalised shape of their
 * retainer path, e.g. `(global) → activeSessionsCache → *`. Grouping the outermost survivors
 * puts the growing container first instead of scattering its children over many rows.
 */
export function findSuspects(
  snapshot: HeapSnapshot,
  survivors: Uint8Array,
  options: { top?: number; resolveScript?: ScriptResolver } = {},
): LeakSuspect[] {
  const { nodeCount, dominator, distance, retained, root } = snapshot;
  const { synthetic } = snapshot.t;
  const { nodeType } = snapshot.raw;
  const groups = new Map<string, Group>();
  const keyCache = new Map<number, string>();
  for (let n = 0; n < nodeCount; n++) {
    if (!survivors[n] || n === root) continue;
    if (nodeType[n] === synthetic || isBackingStore(snapshot, n)) continue;
    // Module scopes of a Node service are often held only by handles and the stack (system
    // roots), so those count too; unreachable leftovers do not.
    if (distance[n] < 0) continue;
    let owner = dominator[n];
    while (owner !== root && isBackingStore(snapshot, owner)) owner = dominator[owner];
    if (owner !== root && survivors[owner]) continue;
    // One row per class and path shape: a Map's keys and values are two groups, not one.
    const key = `${snapshot.classIndex[n]}\u0001${shapeKey(snapshot, n, keyCache)}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.retainedSize += retained[n];
      if (retained[n] > retained[group.example]) group.example = n;
    } else groups.set(key, { key, example: n, count: 1, retainedSize: retained[n] });
  }
  const ranked = [...groups.values()].sort(bySizeThenCount);
  // Groups differ by their BFS paths, but two of them can show the same preferred path (the
  // BFS met one string through a timer list and its twin through the module): those are one
  // row. Describing stops at `top` rows, or after a bounded number of groups.
  const top = options.top ?? 10;
  const rows = new Map<string, LeakSuspect>();
  for (const group of ranked.slice(0, top * MERGE_LOOKAHEAD)) {
    if (rows.size === top) break;
    const suspect = describe(snapshot, group, survivors, options.resolveScript);
    const key = `${suspect.name}\u0001${normaliseLabels(suspect.path).join('\u0000')}`;
    const same = rows.get(key);
    if (same) {
      same.count += suspect.count;
      same.retainedSize += suspect.retainedSize;
    } else rows.set(key, suspect);
  }
  return [...rows.values()].sort(bySizeThenCount);
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
