/**
 * The Heap Explorer's object-level queries on an analysed snapshot: rows with value previews
 * and source locations, a class's instances, an object's references and retainers, search by
 * id. Each answers one page; what a page needs beyond a few edges (member lists, sorted
 * retainers) is built once and kept in an {@link ExplorerIndex}.
 */
import type {
  EdgeRow,
  IdRange,
  InstanceColumn,
  NodeRow,
  SortOrder,
  ValuePreview,
} from './protocol';
import { scriptNameOf } from './locations';
import type { SourceLocation } from './results';
import { SYSTEM_DISTANCE, type HeapSnapshot } from './snapshot';

/** Characters of a string shown in a preview; the rest stays in the engine. */
export const PREVIEW_CHARS = 200;
/** Characters of a string value inside an object's preview. */
const INNER_STRING_CHARS = 24;
/** Properties listed in an object's preview. */
const PREVIEW_PROPERTIES = 4;
/** Characters of a node's V8 name in a row. */
const NAME_CHARS = 200;
/** The top of a long list is found by selection and kept this long; deeper pages sort it all. */
const SELECTION_LIMIT = 2000;

/** Per-snapshot lookups the explorer builds on first use and keeps while the snapshot is open. */
export class ExplorerIndex {
  /** Counted nodes grouped by class (CSR by class string index): every class's members. */
  private members: { order: Uint32Array; start: Uint32Array } | undefined;
  private scriptFiles: Map<number, string> | undefined;
  /** The lists asked for lately, by list key: sorted whole, or their sorted top. */
  private readonly sorted = new Map<string, Uint32Array>();

  constructor(
    readonly snapshot: HeapSnapshot,
    /** Script id → file from the live session that took the snapshot. */
    public scripts?: Record<number, string>,
  ) {}

  /** The Summary's members of a class (non-zero self size), in node order. */
  membersOf(className: string): Uint32Array {
    const aggregate = this.snapshot.classAggregates().find((a) => a.name === className);
    if (!aggregate) return new Uint32Array(0);
    const { order, start } = this.classMembers();
    return order.subarray(start[aggregate.nameIndex], start[aggregate.nameIndex + 1]);
  }

  /** Every class's members at once: one counting sort of the counted nodes by class. */
  private classMembers(): { order: Uint32Array; start: Uint32Array } {
    if (!this.members) {
      const { classIndex, selfSize, nodeCount, strings } = this.snapshot;
      const start = new Uint32Array(strings.count + 1);
      for (let n = 0; n < nodeCount; n++) if (selfSize[n]) start[classIndex[n] + 1]++;
      for (let c = 1; c < start.length; c++) start[c] += start[c - 1];
      const next = start.slice(0, -1);
      const order = new Uint32Array(start[start.length - 1]);
      for (let n = 0; n < nodeCount; n++) if (selfSize[n]) order[next[classIndex[n]]++] = n;
      this.members = { order, start };
    }
    return this.members;
  }

  /** One page of a class's instances, sorted by `sort` (largest retained first by default). */
  instancesPage(
    className: string,
    start: number,
    count: number,
    sort: SortOrder<InstanceColumn> = { column: 'retainedSize', descending: true },
    idRange?: IdRange,
  ): { total: number; rows: NodeRow[] } {
    let members = this.membersOf(className);
    if (idRange) members = members.filter((n) => inRange(this.snapshot.raw.nodeId[n], idRange));
    const key = instanceKey(this.snapshot, sort);
    const listKey = `${className}\u0000${sort.column}\u0000${sort.descending}\u0000${idRange?.after}-${idRange?.upTo}`;
    const page = this.pageOf(listKey, members, key, sort.descending, start, count);
    return { total: members.length, rows: page.map((n) => this.row(n)) };
  }

  /**
   * The nodes at `start, start + count` of `list` ordered by `key` (ties in list order): near
   * the top of a long list its first 2,000 by one bounded selection (no sort of a million
   * members), deeper a full sort; either kept under `listKey` for the next pages.
   */
  pageOf(
    listKey: string,
    list: Uint32Array,
    key: (n: number) => number,
    descending: boolean,
    start: number,
    count: number,
  ): number[] {
    const end = Math.min(list.length, start + count);
    if (start >= end) return [];
    const known = this.sorted.get(listKey);
    if (known && known.length >= end) return Array.from(known.subarray(start, end));
    const sign = descending ? -1 : 1;
    // Keys gathered once into a typed array: comparisons then read numbers, not call closures.
    const keys = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) keys[i] = sign * key(list[i]);
    let sorted: Uint32Array;
    if (end <= SELECTION_LIMIT && list.length > SELECTION_LIMIT * 4) {
      // The top of a long list by selection, kept: the next pages come from it.
      sorted = Uint32Array.from(smallest(keys, SELECTION_LIMIT), (i) => list[i]);
    } else {
      const positions = new Uint32Array(list.length);
      for (let i = 0; i < positions.length; i++) positions[i] = i;
      positions.sort((a, b) => keys[a] - keys[b] || list[a] - list[b]);
      sorted = positions.map((i) => list[i]);
    }
    // A few lists at a time: the user pages one list, then another.
    if (this.sorted.size >= 8) this.sorted.delete(this.sorted.keys().next().value as string);
    this.sorted.set(listKey, sorted);
    return Array.from(sorted.subarray(start, end));
  }

  /**
   * Builds what the first expand would otherwise wait for: the members of every class and the
   * scripts' files. Called while the snapshot opens.
   */
  prepare(): void {
    this.classMembers();
    this.knownScripts();
  }

  /** An object's outgoing references, in the snapshot's order. */
  childrenPage(n: number, start: number, count: number): { total: number; rows: EdgeRow[] } {
    const { firstEdge, edgeTo } = this.snapshot.raw;
    const first = firstEdge[n];
    const total = firstEdge[n + 1] - first;
    const rows: EdgeRow[] = [];
    for (let e = first + start; e < first + Math.min(total, start + count); e++)
      rows.push(this.edgeRow(e, edgeTo[e]));
    return { total, rows };
  }

  /**
   * Who holds `n`: strong references before weak ones, the nearest retainer (the shortest
   * route to a root) first. A retainer that is `n` itself or one of `ancestors` closes a cycle.
   */
  retainersPage(
    n: number,
    start: number,
    count: number,
    ancestors: readonly number[] = [],
  ): { total: number; rows: EdgeRow[] } {
    const { snapshot } = this;
    // Typed arrays, not `retainingEdges`' objects: a module scope has a retainer per function.
    const slots = snapshot.retainerStart[n + 1] - snapshot.retainerStart[n];
    const nodes = new Uint32Array(slots);
    const edges = new Uint32Array(slots);
    const { firstEdge, edgeTo, edgeType } = snapshot.raw;
    let total = 0;
    let previous = -1;
    for (let k = snapshot.retainerStart[n]; k < snapshot.retainerStart[n + 1]; k++) {
      const r = snapshot.retainer(k);
      if (r === previous) continue; // slots of one retainer are adjacent; its edges found once
      previous = r;
      for (let e = firstEdge[r]; e < firstEdge[r + 1]; e++)
        if (edgeTo[e] === n) {
          nodes[total] = r;
          edges[total++] = e;
        }
    }
    const weak = snapshot.t.eWeak;
    const rank = (i: number): number => {
      const d = snapshot.distance[nodes[i]];
      // Unreachable retainers after every reachable one, weak edges after all strong ones.
      const distance = d < 0 ? SYSTEM_DISTANCE * 2 : d;
      return (edgeType[edges[i]] === weak ? SYSTEM_DISTANCE * 4 : 0) + distance;
    };
    const positions = new Uint32Array(total);
    for (let i = 0; i < total; i++) positions[i] = i;
    const page = this.pageOf(`retainers\u0000${n}`, positions, rank, false, start, count);
    const cycle = new Set([n, ...ancestors]);
    const rows = page.map((i) => {
      const row = this.edgeRow(edges[i], nodes[i]);
      if (cycle.has(nodes[i])) row.cycle = true;
      return row;
    });
    return { total, rows };
  }

  /** The object with V8 id `id`, or -1. */
  nodeOfId(id: number): number {
    const { nodeId } = this.snapshot.raw;
    for (let n = 0; n < this.snapshot.nodeCount; n++) if (nodeId[n] === id) return n;
    return -1;
  }

  edgeRow(e: number, other: number): EdgeRow {
    const { snapshot } = this;
    const row: EdgeRow = {
      edgeType: snapshot.edgeTypeName(e),
      edgeName: clip(snapshot.edgeLabel(e), NAME_CHARS),
      node: this.row(other),
    };
    if (snapshot.raw.edgeType[e] === snapshot.t.eWeak) row.weak = true;
    return row;
  }

  /** A node as tables show it, with its value preview and, where known, its source location. */
  row(n: number): NodeRow {
    const { snapshot } = this;
    const { firstEdge } = snapshot.raw;
    const row: NodeRow = {
      node: n,
      id: snapshot.raw.nodeId[n],
      type: snapshot.nodeTypeName(n),
      className: snapshot.className(n),
      name: this.nameOf(n),
      selfSize: snapshot.selfSize[n],
      retainedSize: snapshot.retained[n],
      distance: snapshot.distance[n] < 0 ? -1 : snapshot.distance[n],
      hasChildren: firstEdge[n + 1] > firstEdge[n],
    };
    const preview = previewOf(snapshot, n);
    if (preview) row.preview = preview;
    const location = this.locationOf(n);
    if (location) row.location = location;
    return row;
  }

  /** V8's name for a node, cut (a string node's name is its whole content). */
  private nameOf(n: number): string {
    const { text, truncated } = this.snapshot.strings.prefix(
      this.snapshot.raw.nodeName[n],
      NAME_CHARS,
    );
    return truncated ? `${text}…` : text;
  }

  /**
   * Where a closure is defined, where an object's constructor is, or for a scope (context) a
   * function defined in it. Script ids resolve through the live session's scripts, else through
   * the script names the heap records.
   */
  locationOf(n: number): SourceLocation | undefined {
    const { snapshot } = this;
    const type = snapshot.raw.nodeType[n];
    const { closure, object, eInternal } = snapshot.t;
    const isContext = type === object && snapshot.nodeName(n) === 'system / Context';
    if (!isContext) {
      const location = type === closure || type === object ? snapshot.locationOf(n) : undefined;
      if (!location) return undefined;
      // Not `sourceLocation`: its last resort scans every node, once per row.
      const file =
        this.scriptFile(location.scriptId) ??
        (type === closure ? scriptNameOf(snapshot, n) : undefined);
      return file ? { file, line: location.line + 1, column: location.column + 1 } : undefined;
    }
    const { firstEdge, edgeTo, edgeType } = snapshot.raw;
    for (let k = snapshot.retainerStart[n]; k < snapshot.retainerStart[n + 1]; k++) {
      const r = snapshot.retainer(k);
      if (snapshot.raw.nodeType[r] !== closure) continue;
      for (let e = firstEdge[r]; e < firstEdge[r + 1]; e++)
        if (edgeTo[e] === n && edgeType[e] === eInternal && snapshot.edgeLabel(e) === 'context') {
          const location = this.locationOf(r);
          if (location) return location;
        }
    }
    return undefined;
  }

  /** A script id's file: the live session's, else the name a closure of that script records. */
  private scriptFile(scriptId: number): string | undefined {
    return this.scripts?.[scriptId] ?? this.knownScripts().get(scriptId);
  }

  /** Script id → name, from one closure per script (objects carry only the script id). */
  private knownScripts(): Map<number, string> {
    if (!this.scriptFiles) {
      const { snapshot } = this;
      const files = new Map<number, string>();
      for (const n of snapshot.located.nodes) {
        if (snapshot.raw.nodeType[n] !== snapshot.t.closure) continue;
        const id = snapshot.locationOf(n)?.scriptId;
        if (id === undefined || files.has(id)) continue;
        const name = scriptNameOf(snapshot, n);
        if (name) files.set(id, name);
      }
      this.scriptFiles = files;
    }
    return this.scriptFiles;
  }
}

export function inRange(id: number, range: IdRange): boolean {
  return id > range.after && id <= range.upTo;
}

function instanceKey(
  snapshot: HeapSnapshot,
  sort: SortOrder<InstanceColumn>,
): (n: number) => number {
  switch (sort.column) {
    case 'id':
      return (n) => snapshot.raw.nodeId[n];
    case 'distance':
      return (n) => snapshot.distance[n];
    case 'selfSize':
      return (n) => snapshot.selfSize[n];
    case 'retainedSize':
      return (n) => snapshot.retained[n];
  }
}

/**
 * Positions of the `k` smallest `keys`, in order (ties by position): one pass with a bounded
 * max-heap, so the top of a million-member list costs no sort.
 */
export function smallest(keys: Float64Array, k: number): number[] {
  const heap: number[] = [];
  // `a` after `b` in the result order.
  const after = (a: number, b: number): boolean =>
    keys[a] > keys[b] || (keys[a] === keys[b] && a > b);
  for (let i = 0; i < keys.length; i++) {
    if (heap.length < k) {
      heap.push(i);
      for (let c = heap.length - 1; c > 0;) {
        const p = (c - 1) >> 1;
        if (!after(heap[c], heap[p])) break;
        [heap[c], heap[p]] = [heap[p], heap[c]];
        c = p;
      }
      continue;
    }
    if (!after(heap[0], i)) continue;
    heap[0] = i;
    for (let j = 0; ;) {
      let top = j;
      const l = 2 * j + 1;
      const r = l + 1;
      if (l < heap.length && after(heap[l], heap[top])) top = l;
      if (r < heap.length && after(heap[r], heap[top])) top = r;
      if (top === j) break;
      [heap[j], heap[top]] = [heap[top], heap[j]];
      j = top;
    }
  }
  return heap.sort((a, b) => keys[a] - keys[b] || a - b);
}

function clip(text: string, chars: number): string {
  return text.length > chars ? `${text.slice(0, chars)}…` : text;
}

/**
 * A value's preview: string content (a concatenated string's parts joined, up to
 * {@link PREVIEW_CHARS}), a heap number, `true`/`false`/`null`/`undefined` (V8's oddballs), a
 * symbol's description, an array's length, or an object's first properties.
 */
export function previewOf(snapshot: HeapSnapshot, n: number): ValuePreview | undefined {
  const { nodeType } = snapshot.raw;
  const type = nodeType[n];
  const t = snapshot.t;
  if (type === t.string || type === t.consString) {
    const { text, truncated } = stringContent(snapshot, n, PREVIEW_CHARS);
    return truncated ? { kind: 'string', text, truncated } : { kind: 'string', text };
  }
  if (type === t.number) {
    const name = snapshot.nodeName(n);
    // V8 names numbers by value only when asked to expose them; otherwise 'heap number'.
    return /^-?(\d|Infinity|NaN)/.test(name) ? { kind: 'number', text: name } : undefined;
  }
  if (type === t.hidden && snapshot.nodeName(n) === 'system / Oddball') return oddball(snapshot, n);
  const typeName = snapshot.raw.meta.nodeTypes[type];
  if (typeName === 'symbol') {
    const description = internalChild(snapshot, n, 'name');
    const text =
      description >= 0 ? stringContent(snapshot, description, INNER_STRING_CHARS).text : '';
    return { kind: 'symbol', text: `Symbol(${text})` };
  }
  if (typeName === 'bigint') return { kind: 'bigint', text: 'bigint' };
  if (type === t.object) return objectPreview(snapshot, n);
  return undefined;
}

/** `true`, `false`, `null` or `undefined`: an oddball's first string is its `toString`. */
function oddball(snapshot: HeapSnapshot, n: number): ValuePreview | undefined {
  const { firstEdge, edgeTo, nodeType } = snapshot.raw;
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
    const to = edgeTo[e];
    if (nodeType[to] !== snapshot.t.string) continue;
    const text = snapshot.nodeName(to);
    if (text === 'true' || text === 'false') return { kind: 'boolean', text };
    if (text === 'null') return { kind: 'null', text };
    if (text === 'undefined') return { kind: 'undefined', text };
    return undefined;
  }
  return undefined;
}

function internalChild(snapshot: HeapSnapshot, n: number, name: string): number {
  const { firstEdge, edgeTo, edgeType } = snapshot.raw;
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++)
    if (edgeType[e] === snapshot.t.eInternal && snapshot.edgeLabel(e) === name) return edgeTo[e];
  return -1;
}

/**
 * Up to `maxChars` of a string's content. A concatenated string has no content of its own: its
 * `first` and `second` parts are walked in order until the budget is spent.
 */
export function stringContent(
  snapshot: HeapSnapshot,
  n: number,
  maxChars: number,
): { text: string; truncated: boolean } {
  const { nodeType, nodeName } = snapshot.raw;
  const { string, consString } = snapshot.t;
  let text = '';
  const stack = [n];
  // A cons tree is walked leaf by leaf; a cut-off bound keeps a hostile (cyclic) one finite.
  for (let steps = 0; stack.length > 0 && steps < 10_000; steps++) {
    const m = stack.pop() as number;
    const type = nodeType[m];
    if (type === consString) {
      const first = internalChild(snapshot, m, 'first');
      const second = internalChild(snapshot, m, 'second');
      if (second >= 0) stack.push(second);
      if (first >= 0) stack.push(first);
      continue;
    }
    if (type !== string) continue;
    const part = snapshot.strings.prefix(nodeName[m], maxChars - text.length);
    text += part.text;
    if (part.truncated || text.length >= maxChars) return { text, truncated: true };
  }
  return { text, truncated: stack.length > 0 };
}

/** `Array(50)`, or `{ip: "127.0.0.1", port: 80, …}` from an object's first properties. */
function objectPreview(snapshot: HeapSnapshot, n: number): ValuePreview | undefined {
  const { firstEdge, edgeTo, edgeType, nodeType } = snapshot.raw;
  const { eProperty, eElement, eInternal } = snapshot.t;
  const name = snapshot.nodeName(n);
  if (name === 'Array') {
    const elements = internalChild(snapshot, n, 'elements');
    if (elements < 0) return undefined;
    let length = 0;
    for (let e = firstEdge[elements]; e < firstEdge[elements + 1]; e++)
      if (edgeType[e] === eElement || edgeType[e] === snapshot.t.eHidden) length++;
    return { kind: 'object', text: `Array(${length})` };
  }
  const parts: string[] = [];
  let more = false;
  for (let e = firstEdge[n]; e < firstEdge[n + 1]; e++) {
    const type = edgeType[e];
    if (type === eInternal || (type !== eProperty && type !== eElement)) continue;
    const key = snapshot.edgeLabel(e);
    if (key === '__proto__') continue;
    if (parts.length === PREVIEW_PROPERTIES) {
      more = true;
      break;
    }
    const to = edgeTo[e];
    const t = nodeType[to];
    let value = '…';
    if (t === snapshot.t.string || t === snapshot.t.consString) {
      const content = stringContent(snapshot, to, INNER_STRING_CHARS);
      value = JSON.stringify(content.text + (content.truncated ? '…' : ''));
    } else {
      const inner = t === snapshot.t.object ? undefined : previewOf(snapshot, to);
      if (inner) value = inner.text;
    }
    parts.push(`${clip(key, INNER_STRING_CHARS)}: ${value}`);
  }
  if (parts.length === 0) return undefined;
  return { kind: 'object', text: `{${parts.join(', ')}${more ? ', …' : ''}}` };
}
