import type { HeapSnapshot } from './snapshot';

// DevTools' thresholds for naming plain objects by their properties (`{a, b, c}`).
const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

/**
 * Embedder (native) nodes know whether they are attached; DevTools spreads that state to the
 * native nodes they reach and renames detached ones `Detached <name>`. Node's own bindings
 * report it too, so class names only match DevTools with the same propagation.
 */
export function propagateDetachedness(snapshot: HeapSnapshot): void {
  const state = snapshot.raw.nodeDetachedness;
  if (state.length === 0) return;
  const { nodeCount } = snapshot;
  const { nodeType, nodeName, firstEdge, edgeTo, edgeType } = snapshot.raw;
  const { native, eHidden, eWeak } = snapshot.t;
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
        name = snapshot.strings.add(`Detached ${snapshot.strings.get(nodeName[n])}`);
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

/**
 * Each node's class name as DevTools' Summary groups it, as a string index: `(closure)`,
 * `(string)`, `(array)`… by node type, constructor names for objects (`<div>` for elements),
 * and `{a, b}` for popular shapes of plain objects. Adds the names it makes to the strings.
 */
export function classNames(snapshot: HeapSnapshot): Uint32Array {
  const { nodeCount } = snapshot;
  const { nodeType, nodeName } = snapshot.raw;
  const classIndex = new Uint32Array(nodeCount);
  const added = new Map<string, number>();
  const index = (s: string): number => {
    let i = added.get(s);
    if (i === undefined) {
      i = snapshot.strings.add(s);
      added.set(s, i);
    }
    return i;
  };
  const typeNames = snapshot.raw.meta.nodeTypes;
  const byType = typeNames.map((name, type) => {
    if (type === snapshot.t.hidden) return index('(system)');
    if (type === snapshot.t.code) return index('(compiled code)');
    // DevTools (2024+) files closures under "Function"; the engine keeps the older, clearer
    // "(closure)" the learner material uses. Tests map one to the other.
    if (type === snapshot.t.closure) return index('(closure)');
    if (type === snapshot.t.regexp) return index('RegExp');
    return index(`(${name})`);
  });
  const nameCache = new Map<number, number>();
  for (let n = 0; n < nodeCount; n++) {
    const type = nodeType[n];
    if (type !== snapshot.t.object && type !== snapshot.t.native) {
      classIndex[n] = byType[type];
      continue;
    }
    const raw = nodeName[n];
    let cls = nameCache.get(raw);
    if (cls === undefined) {
      cls = raw;
      const name = snapshot.strings.get(raw);
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
  applyInterfaceNames(snapshot, classIndex);
  return classIndex;
}

/**
 * DevTools names popular shapes of plain `Object`s by their properties (`{ip, userAgent}`),
 * which tells a learner far more than "Object". Same thresholds and matching as DevTools.
 */
function applyInterfaceNames(snapshot: HeapSnapshot, classIndex: Uint32Array): void {
  const { nodeCount } = snapshot;
  const { nodeType, nodeName, firstEdge, edgeType, edgeName } = snapshot.raw;
  const objectName = snapshot.known.object;
  if (objectName < 0) return;
  const { object, eProperty } = snapshot.t;
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
      const property = snapshot.strings.get(index);
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
    const properties = shape.names.map((i) => snapshot.strings.get(i)).sort();
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
      cls = snapshot.strings.add(match.name);
      classes.set(match.name, cls);
    }
    return cls;
  });
  for (let n = 0; n < nodeCount; n++) {
    const shape = shapeOf[n];
    if (shape >= 0 && shapeClass[shape] >= 0) classIndex[n] = shapeClass[shape];
  }
}

function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const json = JSON.stringify({ [name]: 0 });
    return json.substring(1, json.length - 3);
  }
  return name;
}
