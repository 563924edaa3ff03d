import { diffLoaded, openSnapshot, summarize } from './analysis';
import { pinpointSuspects } from './ownerLine';
import { HeapSnapshotError, SnapshotNotOpenError } from './errors';
import { sourceLocation } from './locations';
import { pathLabels, preferredRetainerPath } from './paths';
import type {
  ComparisonPage,
  EdgeRow,
  HeapMethod,
  HeapRequests,
  NodeRow,
  Page,
  PageQuery,
  OpenSnapshotInfo,
} from './protocol';
import { readSnapshot } from './reader';
import type { ClassDelta, ClassSummary, DiffResult, SnapshotMismatch } from './results';
import type { HeapSnapshot } from './snapshot';

/** Per-request context: cancellation and progress of the file reads. */
export interface RequestContext {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

interface OpenEntry {
  info: OpenSnapshotInfo;
  snapshot: HeapSnapshot;
  lastUsed: number;
}

/** Limits of the open-snapshot cache: evict least recently used beyond either. */
export interface EngineLimits {
  maxSnapshots: number;
  /** Sum of the open snapshots' file sizes (a proxy for their memory). */
  maxBytes: number;
}

const NAME_LIMIT = 200;

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
  private readonly comparisons = new Map<
    string,
    { rows: ClassDelta[]; mismatch?: SnapshotMismatch }
  >();

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
        return this.edgesPage(p, false) as HeapRequests[M]['result'];
      case 'retainersPage':
        return this.edgesPage(p, true) as HeapRequests[M]['result'];
      case 'path':
        return this.path(p) as HeapRequests[M]['result'];
      case 'comparisonPage':
        return (await this.comparisonPage(p, context)) as HeapRequests[M]['result'];
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
  }

  private async openFile(
    { file }: HeapRequests['open']['params'],
    context: RequestContext,
  ): Promise<OpenSnapshotInfo> {
    const existing = this.byFile.get(file);
    if (existing !== undefined) return this.entry(existing).info;
    const snapshot = await openSnapshot(file, context);
    const handle = this.nextHandle++;
    const info: OpenSnapshotInfo = {
      handle,
      file,
      fileSize: snapshot.raw.fileSize,
      nodeCount: snapshot.nodeCount,
      edgeCount: snapshot.edgeCount,
      totalSize: snapshot.totalSize,
    };
    this.open.set(handle, { info, snapshot, lastUsed: ++this.clock });
    this.byFile.set(file, handle);
    this.evict(handle);
    return info;
  }

  private evict(keep: number): void {
    const entries = () => [...this.open.values()].sort((a, b) => a.lastUsed - b.lastUsed);
    const bytes = () => entries().reduce((sum, e) => sum + e.info.fileSize, 0);
    while (
      this.open.size > this.limits.maxSnapshots ||
      (this.open.size > 1 && bytes() > this.limits.maxBytes)
    ) {
      const oldest = entries().find((e) => e.info.handle !== keep);
      if (!oldest) break;
      this.close({ handle: oldest.info.handle });
    }
  }

  private close({ handle }: { handle: number }): boolean {
    const entry = this.open.get(handle);
    if (!entry) return false;
    this.open.delete(handle);
    this.byFile.delete(entry.info.file);
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
  }: HeapRequests['classesPage']['params']): Page<ClassSummary> {
    const rows = summarize(this.snapshot(handle)).classes;
    return page(rows, query);
  }

  private nodeRow(snapshot: HeapSnapshot, n: number): NodeRow {
    const name = snapshot.nodeName(n);
    return {
      node: n,
      id: snapshot.raw.nodeId[n],
      type: snapshot.nodeTypeName(n),
      className: snapshot.className(n),
      name: name.length > NAME_LIMIT ? `${name.slice(0, NAME_LIMIT)}…` : name,
      selfSize: snapshot.selfSize[n],
      retainedSize: snapshot.retained[n],
      distance: snapshot.distance[n] < 0 ? -1 : snapshot.distance[n],
    };
  }

  private instancesPage({
    handle,
    className,
    start,
    count,
  }: HeapRequests['instancesPage']['params']): Page<NodeRow> {
    const snapshot = this.snapshot(handle);
    // Largest first, like DevTools' instance list sorted by retained size.
    const nodes = Array.from(snapshot.instancesOf(className)).sort(
      (a, b) => snapshot.retained[b] - snapshot.retained[a],
    );
    const slice = nodes.slice(start, start + count);
    return { total: nodes.length, start, rows: slice.map((n) => this.nodeRow(snapshot, n)) };
  }

  private edgesPage(
    { handle, node, start, count }: { handle: number; node: number; start: number; count: number },
    retainers: boolean,
  ): Page<EdgeRow> {
    const snapshot = this.snapshot(handle);
    if (!Number.isInteger(node) || node < 0 || node >= snapshot.nodeCount)
      throw new HeapSnapshotError(`node ${node} is not in this snapshot`, 0, 'query');
    const { firstEdge, edgeTo } = snapshot.raw;
    const pairs = retainers
      ? snapshot.retainingEdges(node)
      : Array.from({ length: firstEdge[node + 1] - firstEdge[node] }, (_, i) => ({
          node: edgeTo[firstEdge[node] + i],
          edge: firstEdge[node] + i,
        }));
    const rows: EdgeRow[] = pairs.slice(start, start + count).map(({ node: other, edge }) => ({
      edgeType: snapshot.edgeTypeName(edge),
      edgeName: snapshot.edgeLabel(edge),
      node: this.nodeRow(snapshot, other),
    }));
    return { total: pairs.length, start, rows };
  }

  private path({ handle, node, scripts }: HeapRequests['path']['params']) {
    const snapshot = this.snapshot(handle);
    if (!Number.isInteger(node) || node < 0 || node >= snapshot.nodeCount)
      throw new HeapSnapshotError(`node ${node} is not in this snapshot`, 0, 'query');
    // The same kind of path as a suspect's example, so a node reads the same in both views.
    const path = preferredRetainerPath(snapshot, node);
    const location = sourceLocation(snapshot, node, scripts ? (id) => scripts[id] : undefined);
    return {
      labels: pathLabels(snapshot, path),
      nodes: path.nodes.map((n) => this.nodeRow(snapshot, n)),
      ...(location ? { location } : {}),
    };
  }

  private async comparisonPage(
    { baseline, target, query }: HeapRequests['comparisonPage']['params'],
    context: RequestContext,
  ): Promise<ComparisonPage> {
    const key = `${baseline}\u0000${target}`;
    let comparison = this.comparisons.get(key);
    if (!comparison) {
      const { classes, mismatch } = await this.diff({ baseline, target }, context, true);
      comparison = { rows: classes, ...(mismatch ? { mismatch } : {}) };
      this.comparisons.set(key, comparison);
    }
    const { rows, mismatch } = comparison;
    return { ...page(rows, query), ...(mismatch ? { mismatch } : {}) };
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
    const base = await readSnapshot(baseline, { signal: context.signal, mode: 'nodes' });
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
