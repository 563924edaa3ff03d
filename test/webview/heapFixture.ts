/**
 * A small heap, shaped like the "User sessions" leak, that the fake host walks to answer the
 * Heap Explorer's object requests (instances, properties, retainers, @id, dominators…) the way
 * the real host does: pages of at most `count` rows, heap strings cut, weak edges last. It plants
 * hostile strings where a heap puts attacker-controlled text: a property name, a string value,
 * a class name, a right-to-left override and a 10 kB string.
 */
import type {
  AllocationSite,
  ClassDelta,
  ClassSummary,
  ContainmentRoots,
  EdgeRow,
  HeapStatistics,
  HostRequests,
  NodeRow,
  Page,
  TreemapNode,
  ValuePreview,
} from '../../src/extension/protocol';
import { hostile } from './fixtures';

/** A right-to-left override: shown raw, it would flip the text after it. */
export const bidi = 'admin\u202Egnp.exe';
/** A 10 kB string value; the host sends only its first characters. */
export const longString = 'x'.repeat(10 * 1024);
/** How many characters of a string the fixture host sends (like the engine's cut). */
export const previewChars = 80;
export const sessionClass = '{userAgent, ip, assignedId, activityLog}';
export const serviceFile = '/home/learner/user-sessions/service.js';

interface FixtureObject extends NodeRow {
  edges: { edgeType: string; edgeName: string; to: number }[];
}

const objects: FixtureObject[] = [];

function add(
  className: string,
  fields: Partial<Omit<FixtureObject, 'node' | 'edges' | 'hasChildren'>> & { id: number },
): FixtureObject {
  const object: FixtureObject = {
    node: objects.length,
    type: 'object',
    className,
    name: className,
    selfSize: 32,
    retainedSize: 32,
    distance: 3,
    hasChildren: false,
    edges: [],
    ...fields,
  };
  objects.push(object);
  return object;
}

function link(from: FixtureObject, edgeType: string, edgeName: string, to: FixtureObject): void {
  from.edges.push({ edgeType, edgeName, to: to.node });
  from.hasChildren = true;
}

function stringPreview(text: string): ValuePreview {
  return text.length > previewChars
    ? { kind: 'string', text: text.slice(0, previewChars), truncated: true }
    : { kind: 'string', text };
}

const root = add('(GC roots)', { id: 1, type: 'synthetic', distance: 0, retainedSize: 6_923_456 });
const global = add('global', { id: 3, distance: 1, selfSize: 56, retainedSize: 2_400_000 });
const moduleScope = add('system / Context', {
  id: 5,
  type: 'hidden',
  distance: 2,
  selfSize: 48,
  retainedSize: 2_300_000,
  location: { file: serviceFile, line: 1, column: 1 },
});
const handler = add('(closure)', {
  id: 7,
  type: 'closure',
  name: 'handleRequest',
  distance: 2,
  selfSize: 32,
  retainedSize: 2_300_100,
  location: { file: serviceFile, line: 42, column: 3 },
});
const cache = add('Map', {
  id: 9,
  distance: 3,
  selfSize: 32,
  retainedSize: 2_299_000,
  preview: { kind: 'object', text: 'Map(300)' },
});
const table = add('(object elements)', {
  id: 11,
  type: 'array',
  distance: 4,
  selfSize: 4_816,
  retainedSize: 2_298_000,
});
link(root, 'element', '1', global);
// What else a service's heap holds, so the dominator treemap has more than one subtree.
for (const [id, className, retainedSize] of [
  [13, '(compiled code)', 1_398_560],
  [15, '(string table)', 1_100_000],
  [17, 'Buffer', 900_000],
  [19, '(system)', 620_000],
  [21, 'Module', 480_000],
] as const)
  link(
    root,
    'element',
    String(id),
    add(className, { id, distance: 1, selfSize: 64, retainedSize }),
  );
link(global, 'property', 'handleRequest', handler);
link(handler, 'internal', 'context', moduleScope);
link(moduleScope, 'context', 'activeSessionsCache', cache);
link(cache, 'internal', 'table', table);
// The module scope's closure refers back to it: a cycle the Retainers pane marks.
link(moduleScope, 'context', 'handleRequest', handler);

/** 300 session records: one class, enough for a "show more" row after the first 200. */
export const sessions: FixtureObject[] = Array.from({ length: 300 }, (_, i) => {
  const session = add(sessionClass, {
    id: 1001 + i * 2,
    distance: 5,
    selfSize: 40,
    retainedSize: 7_600 - i,
    preview: { kind: 'object', text: `{userAgent: "curl/8.5", ip: "10.0.0.${i % 250}", …}` },
  });
  link(table, 'element', String(i), session);
  return session;
});
const first = sessions[0];
const userAgent = add('(string)', {
  id: 20_001,
  type: 'string',
  distance: 6,
  selfSize: 48,
  retainedSize: 48,
  preview: stringPreview(hostile),
});
const note = add('(string)', {
  id: 20_003,
  type: 'string',
  distance: 6,
  selfSize: 10 * 1024 + 16,
  retainedSize: 10 * 1024 + 16,
  preview: stringPreview(longString),
});
const owner = add('(string)', {
  id: 20_005,
  type: 'string',
  distance: 6,
  selfSize: 32,
  retainedSize: 32,
  preview: stringPreview(bidi),
});
const assignedId = add('(heap number)', {
  id: 20_007,
  type: 'number',
  distance: 6,
  selfSize: 16,
  retainedSize: 16,
  preview: { kind: 'number', text: '4711' },
});
const activityLog = add('Array', {
  id: 20_009,
  distance: 6,
  selfSize: 32,
  retainedSize: 7_000,
  preview: { kind: 'object', text: 'Array(120)' },
});
// Reached only through V8's own roots: DevTools' "system" distance, shown as a minus sign.
const weakRef = add('WeakRef', {
  id: 20_011,
  distance: 100_000_007,
  selfSize: 24,
  retainedSize: 24,
});
link(first, 'property', 'userAgent', userAgent);
link(first, 'property', 'note', note);
link(first, 'property', hostile, owner);
link(first, 'property', 'assignedId', assignedId);
link(first, 'property', 'activityLog', activityLog);
link(weakRef, 'weak', 'target', first);

/** The answer's rows of one object's edges (forward or backward). */
function edgeRow(edgeType: string, edgeName: string, to: FixtureObject): EdgeRow {
  return { edgeType, edgeName, node: row(to), ...(edgeType === 'weak' ? { weak: true } : {}) };
}

function row(object: FixtureObject): NodeRow {
  const { edges, ...node } = object;
  void edges;
  return node;
}

function page<T>(rows: readonly T[], start: number, count: number): Page<T> {
  return { total: rows.length, start, rows: rows.slice(start, start + Math.min(count, 200)) };
}

function retainersOf(node: number, ancestors: readonly number[]): EdgeRow[] {
  const found: EdgeRow[] = [];
  for (const from of objects)
    for (const edge of from.edges)
      if (edge.to === node) {
        const retainer = edgeRow(edge.edgeType, edge.edgeName, from);
        if (ancestors.includes(from.node)) retainer.cycle = true;
        found.push(retainer);
      }
  // Shortest route first, weak references last, as the engine orders them.
  return found.sort(
    (a, b) =>
      Number(a.weak === true) - Number(b.weak === true) || a.node.distance - b.node.distance,
  );
}

/** Members of a class: the fixture's own for the classes it has, generated for the others. */
function instancesOf(className: string, total: number): NodeRow[] {
  const own = objects.filter((object) => object.className === className);
  if (own.length > 0) return own.map(row);
  return Array.from({ length: Math.min(total, 450) }, (_, i) => ({
    node: 100_000 + i,
    id: 500_001 + i * 2,
    type: 'object',
    className,
    name: className,
    selfSize: 32,
    retainedSize: 64 + i,
    distance: 4,
    hasChildren: false,
  }));
}

/** The session class first, as the Summary would list it in this heap. */
export const sessionSummary: ClassSummary = {
  name: sessionClass,
  count: sessions.length,
  selfSize: 40 * sessions.length,
  retainedSize: 2_200_000,
  distance: 5,
};

export const sessionDelta: ClassDelta = {
  name: sessionClass,
  newCount: 250,
  deletedCount: 2,
  countDelta: 248,
  addedSize: 10_000,
  removedSize: 80,
  sizeDelta: 9_920,
};

export const statistics: HeapStatistics = {
  total: 6_923_456,
  code: 1_398_560,
  strings: 1_940_000,
  jsArrays: 1_645_120,
  typedArrays: 120_000,
  system: 420_000,
  other: 1_399_776,
  native: 310_000,
};

/**
 * The fixture's dominator tree: each object under the object it is first reached from, breadth
 * first from the root (true of this heap, whose only shared object is reached once strongly).
 */
const dominated = new Map<number, FixtureObject[]>();
{
  const seen = new Set([root.node]);
  const queue = [root];
  for (let at = queue.shift(); at; at = queue.shift()) {
    const children: FixtureObject[] = [];
    for (const edge of at.edges) {
      if (edge.edgeType === 'weak' || seen.has(edge.to)) continue;
      seen.add(edge.to);
      children.push(objects[edge.to]);
      queue.push(objects[edge.to]);
    }
    dominated.set(
      at.node,
      children.sort((a, b) => b.retainedSize - a.retainedSize),
    );
  }
}

function treemapOf(object: FixtureObject, depth: number): TreemapNode {
  const children = dominated.get(object.node) ?? [];
  const shown = depth > 0 ? children.slice(0, 8) : [];
  const folded = children.slice(shown.length);
  return {
    node: object.node,
    id: object.id,
    className: object.className,
    name: object.name,
    retainedSize: object.retainedSize,
    selfSize: object.selfSize,
    children: shown.map((child) => treemapOf(child, depth - 1)),
    ...(folded.length > 0
      ? {
          other: {
            count: folded.length,
            retainedSize: folded.reduce((sum, child) => sum + child.retainedSize, 0),
          },
        }
      : {}),
  };
}

export const allocation: AllocationSite = {
  stack: [
    { functionName: 'createSession', file: serviceFile, line: 17, column: 5, origin: 'user' },
    { functionName: 'handleRequest', file: serviceFile, line: 42, column: 3, origin: 'user' },
    { functionName: 'emit', file: 'node:events', line: 519, column: 28, origin: 'node' },
  ],
  userFrame: 0,
  line: { file: serviceFile, line: 23, column: 7 },
};

type Params<M extends keyof HostRequests> = HostRequests[M]['params'];
type Result<M extends keyof HostRequests> = HostRequests[M]['result'];

/** Responders for every object request, over this heap. */
export const heapAnswers = {
  instancesPage: (p: Params<'instancesPage'>): Result<'instancesPage'> => {
    const total = p.className === sessionClass ? sessions.length : 450;
    return page(instancesOf(p.className, total), p.start, p.count);
  },
  childrenPage: (p: Params<'childrenPage'>): Result<'childrenPage'> =>
    page(
      (objects[p.node]?.edges ?? []).map((edge) =>
        edgeRow(edge.edgeType, edge.edgeName, objects[edge.to]),
      ),
      p.start,
      p.count,
    ),
  retainersPage: (p: Params<'retainersPage'>): Result<'retainersPage'> =>
    page(retainersOf(p.node, p.ancestors ?? []), p.start, p.count),
  nodeById: (p: Params<'nodeById'>): Result<'nodeById'> => {
    const found = objects.find((object) => object.id === p.id);
    return found ? row(found) : null;
  },
  allocationStack: (p: Params<'allocationStack'>): Result<'allocationStack'> =>
    objects[p.node]?.className === sessionClass ? allocation : null,
  comparisonObjectsPage: (p: Params<'comparisonObjectsPage'>): Result<'comparisonObjectsPage'> =>
    page(
      p.side === 'new'
        ? instancesOf(p.className, 250).slice(0, 250)
        : instancesOf(p.className, 2).slice(-2),
      p.start,
      p.count,
    ),
  containment: (): ContainmentRoots => ({
    roots: root.edges.map((edge) => edgeRow(edge.edgeType, edge.edgeName, objects[edge.to])),
    modules: [{ label: '(module service.js)', row: row(moduleScope) }],
  }),
  dominatorsPage: (p: Params<'dominatorsPage'>): Result<'dominatorsPage'> => {
    const children = dominated.get(p.node ?? root.node) ?? [];
    return page(children.map(row), p.start, p.count);
  },
  statistics: (): Result<'statistics'> => statistics,
  treemap: (p: Params<'treemap'>): Result<'treemap'> =>
    treemapOf(objects[p.node ?? root.node], p.depth),
};
