import { traceLookup, allocationSite } from './allocations';
import { diffLoaded, openSnapshot, summarize } from './analysis';
import { IdSet, analysedSide, classDeltas, highestHeapObjectId, snapshotMismatch } from './diff';
import { DominatorTree, containmentRoots, heapStatistics } from './dominatorViews';
import { ExplorerIndex } from './explore';
import { mapStack, pinpointSuspects } from './ownerLine';
import { HeapSnapshotError, SnapshotNotOpenError } from './errors';
import { sourceLocation } from './locations';
import { pathLabels, preferredRetainerPath } from './paths';
import type {
  ComparisonPage,
  ComparisonSide,
  ContainmentRoots,
  EdgeRow,
  HeapMethod,
  HeapRequests,
  HeapStatistics,
  NodeRow,
  Page,
  PageQuery,
  OpenSnapshotInfo,
} from './protocol';
import { readSnapshot } from './reader';
import type { ClassDelta, ClassSummary, DiffResult, SnapshotMismatch } from './results';
import type { HeapSnapshot } from './snapshot';
import { SourceFiles } from './sourceMaps';

/** Per-request context: cancellation and progress of the file reads. */
export interface RequestContext {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface OpenEntry {
  info: OpenSnapshotInfo;
  snapshot: HeapSnapshot;
  index: ExplorerIndex;
  dominators: DominatorTree;
  lastUsed: number;
  /** Whole-heap answers, computed on first ask. */
  statistics?: HeapStatistics;
  containment?: ContainmentRoots;
  /** Summary rows per "allocated between" range (`after-upTo`). */
  ranged: Map<string, ClassSummary[]>;
}

/** A comparison of two open snapshots by the Summary's class names. */
interface Comparison {
  baseline: string;
  target: string;
  rows: ClassDelta[];
  mismatch?: SnapshotMismatch;
  baselineIds: IdSet;
  targetIds: IdSet;
}

/** Limits of the open-snapshot cache: evict least recently used beyond either. */
export interface EngineLimits {
  maxSnapshots: number;
  /** Sum of the open snapshots' file sizes (a proxy for their memory). */
  maxBytes: number;
}

/** Comparisons kept (each holds two id sets of a few MB). */
const MAX_COMPARISONS = 4;

/**
 * The heap engine behind the worker: opens snapshots into an LRU cache keyed by handle and
 * answers paged queries on them. The worker is a thin shell around this class; tests use it
 * in-process.
 */
export class HeapEngine {
  private readonly open = new Map<number, OpenEntry>();
  private readonly byFile = new Map<string, number>();
  private nextHandle = 1;
  private clock = 0;
  private readonly comparisons = new Map<string, Comparison>();
  /** Highest object ids of files asked about without being opened. */
  private readonly maxIds = new Map<string, number>();

  constructor(
    private readonly limits: EngineLimits = { maxSnapshots: 3, maxBytes: 3 * 1024 ** 3 },
  ) {}

  /** Answers one request (the same for the worker and in-process callers). */
  async handle<M extends HeapMethod>(
    method: M,
    params: HeapRequests[M]['params'],
    context: RequestContext = {},
  ): Promise<HeapRequests[M]['result']> {
    const p = params as never;
    switch (method) {
      case 'open':
        return (await this.openFile(p, context)) as HeapRequests[M]['result'];
      case 'close':
        return this.close(p) as HeapRequests[M]['result'];
      case 'summary':
        return this.summary(p) as HeapRequests[M]['result'];
      case 'classesPage':
        return this.classesPage(p) as HeapRequests[M]['result'];
      case 'instancesPage':
        return this.instancesPage(p) as HeapRequests[M]['result'];
      case 'childrenPage':
        return this.childrenPage(p) as HeapRequests[M]['result'];
      case 'retainersPage':
        return this.retainersPage(p) as HeapRequests[M]['result'];
      case 'node':
        return this.nodeById(p) as HeapRequests[M]['result'];
      case 'allocationStack':
        return (await this.allocationStack(p)) as HeapRequests[M]['result'];
      case 'path':
        return this.path(p) as HeapRequests[M]['result'];
      case 'dominatorsPage':
        return this.dominatorsPage(p) as HeapRequests[M]['result'];
      case 'containment':
        return this.containment(p) as HeapRequests[M]['result'];
      case 'statistics':
        return this.statistics(p) as HeapRequests[M]['result'];
      case 'treemap':
        return this.treemap(p) as HeapRequests[M]['result'];
      case 'maxObjectId':
        return (await this.maxObjectId(p, context)) as HeapRequests[M]['result'];
      case 'comparisonPage':
        return (await this.comparisonPage(p, context)) as HeapRequests[M]['result'];
      case 'comparisonObjectsPage':
        return (await this.comparisonObjectsPage(p, context)) as HeapRequests[M]['result'];
      case 'diff':
        return (await this.diff(p, context)) as HeapRequests[M]['result'];
      default:
        throw new Error(`unknown heap request '${String(method)}'`);
    }
  }

  /** Open snapshots, most recently used first (for tests and diagnostics). */
  openSnapshots(): OpenSnapshotInfo[] {
    return [...this.open.values()]
      .sort((a, b) => b.lastUsed - a.lastUsed)
      .map((entry) => entry.info);
  }

  dispose(): void {
    this.open.clear();
    this.byFile.clear();
    this.comparisons.clear();
    this.maxIds.clear();
  }

  /** Opens `file` (or finds it open); `keep` are handles the eviction must spare meanwhile. */
  private async openFile(
    { file, scripts }: HeapRequests['open']['params'],
    context: RequestContext,
    keep: number[] = [],
  ): Promise<OpenSnapshotInfo> {
    const existing = this.byFile.get(file);
    if (existing !== undefined) {
      const entry = this.entry(existing);
      if (scripts) entry.index.scripts = scripts;
      return entry.info;
    }
    const snapshot = await openSnapshot(file, context);
    // The Summary's rows are the first thing every view asks for: made while the file opens.
    snapshot.classAggregates();
    const handle = this.nextHandle++;
    const info: OpenSnapshotInfo = {
      handle,
      file,
      fileSize: snapshot.raw.fileSize,
      nodeCount: snapshot.nodeCount,
      edgeCount: snapshot.edgeCount,
      totalSize: snapshot.totalSize,
      hasAllocationTraces: snapshot.raw.traces !== undefined,
      maxObjectId: highestHeapObjectId(snapshot.raw),
    };
    const index = new ExplorerIndex(snapshot, scripts);
    index.prepare();
    this.open.set(handle, {
      info,
      snapshot,
      index,
      dominators: new DominatorTree(index),
      lastUsed: ++this.clock,
      ranged: new Map(),
    });
    this.byFile.set(file, handle);
    this.evict([handle, ...keep]);
    return info;
  }

  private evict(keep: number[]): void {
    const entries = () => [...this.open.values()].sort((a, b) => a.lastUsed - b.lastUsed);
    const bytes = () => entries().reduce((sum, e) => sum + e.info.fileSize, 0);
    while (
      this.open.size > this.limits.maxSnapshots ||
      (this.open.size > 1 && bytes() > this.limits.maxBytes)
    ) {
      const oldest = entries().find((e) => !keep.includes(e.info.handle));
      if (!oldest) break;
      this.close({ handle: oldest.info.handle });
    }
  }

  private close({ handle }: { handle: number }): boolean {
    const entry = this.open.get(handle);
    if (!entry) return false;
    this.open.delete(handle);
    this.byFile.delete(entry.info.file);
    // A comparison answers pages of both its snapshots: it goes with either.
    for (const [key, comparison] of this.comparisons)
      if (comparison.baseline === entry.info.file || comparison.target === entry.info.file)
        this.comparisons.delete(key);
    return true;
  }

  private entry(handle: number): OpenEntry {
    const entry = this.open.get(handle);
    if (!entry) throw new SnapshotNotOpenError(handle);
    entry.lastUsed = ++this.clock;
    return entry;
  }

  private snapshot(handle: number): HeapSnapshot {
    return this.entry(handle).snapshot;
  }

  private summary({ handle, top }: HeapRequests['summary']['params']) {
    return summarize(this.snapshot(handle), top);
  }

  private classesPage({
    handle,
    query,
    idRange,
  }: HeapRequests['classesPage']['params']): Page<ClassSummary> {
    if (!idRange) return page(summarize(this.snapshot(handle)).classes, query);
    const entry = this.entry(handle);
    const key = `${idRange.after}-${idRange.upTo}`;
    let rows = entry.ranged.get(key);
    if (!rows) {
      rows = entry.dominators.classesInRange(idRange);
      // One range at a time is what a filter shows; a few are kept for going back and forth.
      if (entry.ranged.size >= 4) entry.ranged.delete(entry.ranged.keys().next().value as string);
      entry.ranged.set(key, rows);
    }
    return page(rows, query);
  }

  private checkedNode(entry: OpenEntry, node: number): number {
    if (!Number.isInteger(node) || node < 0 || node >= entry.snapshot.nodeCount)
      throw new HeapSnapshotError(`node ${node} is not in this snapshot`, 0, 'query');
    return node;
  }

  private instancesPage({
    handle,
    className,
    start,
    count,
    sort,
    idRange,
  }: HeapRequests['instancesPage']['params']): Page<NodeRow> {
    const { index } = this.entry(handle);
    return { start, ...index.instancesPage(className, start, count, sort, idRange) };
  }

  private childrenPage({
    handle,
    node,
    start,
    count,
  }: HeapRequests['childrenPage']['params']): Page<EdgeRow> {
    const entry = this.entry(handle);
    return { start, ...entry.index.childrenPage(this.checkedNode(entry, node), start, count) };
  }

  private retainersPage({
    handle,
    node,
    start,
    count,
    ancestors,
  }: HeapRequests['retainersPage']['params']): Page<EdgeRow> {
    const entry = this.entry(handle);
    const n = this.checkedNode(entry, node);
    return { start, ...entry.index.retainersPage(n, start, count, ancestors) };
  }

  private nodeById({ handle, id }: HeapRequests['node']['params']): NodeRow | null {
    const { index } = this.entry(handle);
    const n = Number.isInteger(id) ? index.nodeOfId(id) : -1;
    return n < 0 ? null : index.row(n);
  }

  private async allocationStack({
    handle,
    node,
  }: HeapRequests['allocationStack']['params']): Promise<
    HeapRequests['allocationStack']['result']
  > {
    const entry = this.entry(handle);
    const n = this.checkedNode(entry, node);
    const traces = traceLookup(entry.snapshot.raw);
    const scripts = entry.index.scripts;
    const site = traces && allocationSite(traces, n, scripts ? (id) => scripts[id] : undefined);
    // Frames point where the user can click: through source maps to the original sources.
    return site ? await mapStack(site, new SourceFiles()) : null;
  }

  private dominatorsPage({
    handle,
    node,
    start,
    count,
  }: HeapRequests['dominatorsPage']['params']): Page<NodeRow> {
    const entry = this.entry(handle);
    return { start, ...entry.dominators.page(this.checkedNode(entry, node), start, count) };
  }

  private containment({ handle }: HeapRequests['containment']['params']): ContainmentRoots {
    const entry = this.entry(handle);
    entry.containment ??= containmentRoots(entry.index);
    return entry.containment;
  }

  private statistics({ handle }: HeapRequests['statistics']['params']): HeapStatistics {
    const entry = this.entry(handle);
    entry.statistics ??= heapStatistics(entry.snapshot);
    return entry.statistics;
  }

  private treemap({ handle, node, depth, breadth }: HeapRequests['treemap']['params']) {
    const entry = this.entry(handle);
    const from = node === undefined ? entry.snapshot.root : this.checkedNode(entry, node);
    return entry.dominators.treemap(from, depth, breadth);
  }

  private async maxObjectId(
    { file }: HeapRequests['maxObjectId']['params'],
    context: RequestContext,
  ): Promise<number> {
    const open = this.byFile.get(file);
    if (open !== undefined) return this.entry(open).info.maxObjectId;
    let max = this.maxIds.get(file);
    if (max === undefined) {
      const raw = await readSnapshot(file, { signal: context.signal, mode: 'ids' });
      max = highestHeapObjectId(raw);
      this.maxIds.set(file, max);
    }
    return max;
  }

  private path({ handle, node, scripts }: HeapRequests['path']['params']) {
    const entry = this.entry(handle);
    const { snapshot, index } = entry;
    this.checkedNode(entry, node);
    // The same kind of path as a suspect's example, so a node reads the same in both views.
    const path = preferredRetainerPath(snapshot, node);
    const location = sourceLocation(snapshot, node, scripts ? (id) => scripts[id] : undefined);
    return {
      labels: pathLabels(snapshot, path),
      nodes: path.nodes.map((n) => index.row(n)),
      ...(location ? { location } : {}),
    };
  }

  private async comparisonPage(
    { baseline, target, query }: HeapRequests['comparisonPage']['params'],
    context: RequestContext,
  ): Promise<ComparisonPage> {
    const { rows, mismatch } = await this.comparison(baseline, target, context);
    return { ...page(rows, query), ...(mismatch ? { mismatch } : {}) };
  }

  /**
   * Both snapshots open and analysed, so a class is named as each one's Summary names it and
   * its new and deleted objects can be listed and expanded like any others.
   */
  private async comparison(
    baseline: string,
    target: string,
    context: RequestContext,
  ): Promise<Comparison> {
    const key = `${baseline}\u0000${target}`;
    const cached = this.comparisons.get(key);
    if (cached && this.byFile.has(baseline) && this.byFile.has(target)) return cached;
    const later = await this.openFile({ file: target }, context);
    const earlier = await this.openFile({ file: baseline }, context, [later.handle]);
    const after = this.snapshot(later.handle);
    const before = this.snapshot(earlier.handle);
    const baselineIds = new IdSet(before.raw.nodeId);
    const targetIds = new IdSet(after.raw.nodeId);
    const rows = classDeltas(analysedSide(before), analysedSide(after), baselineIds, targetIds);
    const mismatch = snapshotMismatch([before.raw, after.raw], [0, 1]);
    const comparison: Comparison = {
      baseline,
      target,
      rows,
      baselineIds,
      targetIds,
      ...(mismatch ? { mismatch } : {}),
    };
    if (this.comparisons.size >= MAX_COMPARISONS)
      this.comparisons.delete(this.comparisons.keys().next().value as string);
    this.comparisons.set(key, comparison);
    return comparison;
  }

  private async comparisonObjectsPage(
    params: HeapRequests['comparisonObjectsPage']['params'],
    context: RequestContext,
  ): Promise<Page<NodeRow>> {
    const { baseline, target, className, side, start, count } = params;
    const comparison = await this.comparison(baseline, target, context);
    const file = side === 'new' ? target : baseline;
    const { index, snapshot } = this.entry(this.byFile.get(file) as number);
    const members = sideMembers(snapshot, className, side, comparison);
    const nodes = index.pageOf(
      `${side}\u0000${baseline}\u0000${target}\u0000${className}`,
      members,
      (n) => snapshot.retained[n],
      true,
      start,
      count,
    );
    return { total: members.length, start, rows: nodes.map((n) => index.row(n)) };
  }

  private async diff(
    params: HeapRequests['diff']['params'],
    context: RequestContext,
    classesOnly = false,
  ): Promise<DiffResult> {
    const { baseline, target, final, scripts } = params;
    const latestFile = final ?? target;
    const info = await this.openFile({ file: latestFile }, context);
    const latest = this.snapshot(info.handle);
    // With its edges, so deleted objects are named as the Summary names them.
    const base = await readSnapshot(baseline, { signal: context.signal, mode: 'full' });
    const middle = final
      ? await readSnapshot(target, { signal: context.signal, mode: 'ids' })
      : undefined;
    return pinpointSuspects(
      diffLoaded(base, middle, latest, {
        top: classesOnly ? undefined : params.top,
        resolveScript: scripts ? (id) => scripts[id] : undefined,
        suspects: !classesOnly,
      }),
    );
  }
}

/** Filters by name, sorts by a column and slices one page. */
function page<Row extends { name: string }>(
  all: Row[],
  query: PageQuery<Extract<keyof Row, string>>,
): Page<Row> {
  const filter = query.filter.toLowerCase();
  const rows = filter ? all.filter((r) => r.name.toLowerCase().includes(filter)) : [...all];
  const { column, descending } = query.sort;
  const sign = descending ? -1 : 1;
  rows.sort((a, b) => {
    const x = a[column];
    const y = b[column];
    const c =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * c;
  });
  return {
    total: rows.length,
    start: query.start,
    rows: rows.slice(query.start, query.start + query.count),
  };
}

/** A comparison class's new objects (of the target) or deleted ones (of the baseline). */
function sideMembers(
  snapshot: HeapSnapshot,
  className: string,
  side: ComparisonSide,
  comparison: Comparison,
): Uint32Array {
  const other = side === 'new' ? comparison.baselineIds : comparison.targetIds;
  const { classIndex, nodeCount } = snapshot;
  const { nodeId } = snapshot.raw;
  const members: number[] = [];
  // By name, once per class index: a name can sit at two indexes (the file's and one the
  // engine added).
  const named = new Map<number, boolean>();
  for (let n = 0; n < nodeCount; n++) {
    const cls = classIndex[n];
    let wanted = named.get(cls);
    if (wanted === undefined) named.set(cls, (wanted = snapshot.strings.get(cls) === className));
    if (wanted && !other.has(nodeId[n])) members.push(n);
  }
  return Uint32Array.from(members);
}
