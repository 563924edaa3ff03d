import { isUtf8 } from 'node:buffer';
import { abortError, isAbortError } from '../common/abort';
import { NotRegularFileError, openRegularFile } from '../common/regularFile';
import { HeapSnapshotError, type HeapSnapshotProblem } from './errors';
import { StringTable } from './strings';

/** The parts of `snapshot.meta` the engine needs, as read from the file (field order varies). */
export interface SnapshotMeta {
  nodeFields: string[];
  nodeTypes: string[];
  edgeFields: string[];
  edgeTypes: string[];
  locationFields: string[];
  /** `trace_function_info_fields` and `trace_node_fields`; empty when the file has none. */
  traceFunctionInfoFields: string[];
  traceNodeFields: string[];
  /** Number of `trace_function_infos` entries: above 0 when allocations were tracked. */
  traceFunctionCount: number;
  nodeCount: number;
  edgeCount: number;
  /** Extra native bytes reported by newer V8s; counted in the total like DevTools does. */
  extraNativeBytes: number;
}

/**
 * A snapshot as columns of typed arrays. Nodes and edges are stored per field rather than
 * interleaved: half the memory of the file's layout, and edge targets are node ordinals.
 */
export interface RawSnapshot {
  meta: SnapshotMeta;
  nodeCount: number;
  edgeCount: number;
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  /** DOM link state per node (0 unknown, 1 attached, 2 detached); empty if the file has none. */
  nodeDetachedness: Uint8Array;
  /** Edge index range of node i is firstEdge[i]..firstEdge[i+1]. */
  firstEdge: Uint32Array;
  edgeType: Uint8Array;
  edgeName: Uint32Array;
  /** Target node ordinal of each edge. */
  edgeTo: Uint32Array;
  /** Flat `location_fields` tuples with `object_index` already divided to a node ordinal. */
  locations: Uint32Array;
  strings: StringTable;
  fileSize: number;
  /** Allocation stacks, in `full` mode when V8 tracked allocations; absent otherwise. */
  traces?: AllocationTraces;
}

/**
 * V8's allocation traces (`trackAllocations`): each node's trace node, the trace tree as a
 * parent link per trace node id, and the function infos the trace nodes name.
 */
export interface AllocationTraces {
  /** Trace node id of each node; 0 when the node was not allocated under tracking. */
  nodeTraceId: Uint32Array;
  /** Per trace node id: its parent's id (0 for the tree's root, {@link NO_TRACE_NODE} for unused ids). */
  parent: Uint32Array;
  /** Per trace node id: index of its function in the function-info columns below. */
  functionIndex: Uint32Array;
  /** Per function info: name, script name (empty when V8 knows none), V8 script id, line, column. */
  functionName: string[];
  scriptName: string[];
  scriptId: Uint32Array;
  /** 1-based as V8 writes them; 0 when unknown. */
  line: Uint32Array;
  column: Uint32Array;
}

/** `AllocationTraces.parent` of an id that no trace node has. */
export const NO_TRACE_NODE = 0xffffffff;

/**
 * `full`: everything; `nodes`: nodes and strings without edges (class names and sizes of a
 * diff baseline); `ids`: only node ids (cheap membership for diffs).
 */
export type ReadMode = 'full' | 'nodes' | 'ids';

export interface ReadOptions {
  signal?: AbortSignal;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  mode?: ReadMode;
  /** Read size; defaults to 4 MiB. Small values exercise the chunk-boundary paths in tests. */
  chunkSize?: number;
}

const enum Top {
  Start,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  CommaOrEnd,
  End,
  Capture,
  Skip,
  SkipNumbers,
  NumArray,
  StrArray,
  TraceTree,
}

const enum Role {
  Ignore,
  Type,
  Name,
  Id,
  Size,
  EdgeCount,
  To,
  Detachedness,
  TraceNode,
}

const MAX_DEPTH = 1 << 16;
const MAX_META_BYTES = 64 << 20;
const U32_MAX = 0xffffffff;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Streaming `.heapsnapshot` reader: one pass over the bytes with a resumable state machine that
 * fills typed arrays directly. It never builds the file as a string, so files far beyond V8's
 * ~512 MiB string limit work, and every malformed input ends in a {@link HeapSnapshotError}.
 */
class SnapshotParser {
  private state = Top.Start;
  private section = 'file';
  private key: number[] = [];
  private keyEscaped = false;
  private meta: SnapshotMeta | undefined;
  private seen = new Set<string>();
  // Capture / skip of an arbitrary JSON value: bracket stack, string state.
  private depth = 0;
  private stack = new Uint8Array(64);
  private inStr = false;
  private esc = false;
  private captured: Buffer[] = [];
  private capturedBytes = 0;
  private captureStart = 0;
  // Number arrays.
  private numState = 0; // 0 = expecting a value, 1 = in a number, 2 = after a number
  private value = 0;
  private count = 0;
  private field = 0;
  private fieldCount = 1;
  private roles: Role[] = [];
  private limits: number[] = [];
  private arrayKind: 'nodes' | 'edges' | 'locations' | 'traceFunctions' | 'skip' = 'skip';
  // Fast path for nodes/edges: target column per field (null = not kept), limits, to_node.
  private cols: (Uint8Array | Uint32Array | null)[] = [];
  private limitArr = new Float64Array(0);
  private toField = -1;
  private divisor = 1;
  private capacity = 0;
  /** Field of the array being parsed that indexes the string table (-1: none). */
  private nameField = -1;
  // The largest string index any node or edge names, so that finish() can skip the exact
  // checks (a pass over every edge) when it is in range, which it always is in a good file.
  private maxName = 0;
  private fastEdges = false;
  private fastNodes = false;
  private readonly entry = new Float64Array(8);
  // String array.
  private strState = 0; // 0 = expecting a string, 1 = in a string, 2 = after a string
  private strEscape = 0; // 0 none, 1 after backslash, 2..5 hex digits of \u
  private strHigh = false;
  private strHasEscape = false;
  private strStart = 0;

  nodeType = new Uint8Array(0);
  nodeName = new Uint32Array(0);
  nodeId = new Uint32Array(0);
  nodeSelfSize: Uint32Array = new Uint32Array(0);
  /** Edge counts at [i + 1] while nodes are parsed, turned into offsets by finish(). */
  firstEdge: Uint32Array = new Uint32Array(0);
  nodeDetachedness = new Uint8Array(0);
  edgeType = new Uint8Array(0);
  edgeName = new Uint32Array(0);
  edgeTo: Uint32Array = new Uint32Array(0);
  locations = new Uint32Array(0);
  locationLength = 0;
  readonly strings = new StringTable();
  // Allocation traces, only when the file has them (full mode).
  private hasTraces = false;
  nodeTraceId = new Uint32Array(0);
  private traceFunctions = new Uint32Array(0);
  private traceFunctionsLength = 0;
  private readonly tree = new TraceTreeParser();

  constructor(
    private readonly fileSize: number,
    private readonly mode: ReadMode,
  ) {}

  private fail(message: string, offset: number, problem?: HeapSnapshotProblem): never {
    throw new HeapSnapshotError(`${message} (in ${this.section})`, offset, this.section, {
      problem,
    });
  }

  /** Feeds one chunk; `base` is the file offset of chunk[0]. */
  feed(buf: Buffer, base: number): void {
    let p = 0;
    const end = buf.length;
    while (p < end) {
      switch (this.state) {
        case Top.NumArray:
          p = this.feedNumbers(buf, p, base);
          break;
        case Top.TraceTree:
          p = this.tree.feed(buf, p, base, (message, at) => this.fail(message, at));
          if (this.tree.done) this.state = Top.CommaOrEnd;
          break;
        case Top.StrArray:
          p = this.feedStrings(buf, p, base);
          break;
        case Top.Capture:
        case Top.Skip:
          p = this.feedValue(buf, p, base);
          break;
        case Top.SkipNumbers:
          p = this.skipNumbers(buf, p);
          break;
        default:
          p = this.feedTop(buf, p, base);
      }
    }
  }

  private feedTop(buf: Buffer, p: number, base: number): number {
    const c = buf[p];
    const at = base + p;
    switch (this.state) {
      case Top.Start:
        if (isWs(c)) return p + 1;
        if (at === 0 && c === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return p + 3;
        if (c !== 0x7b)
          this.fail(
            `not a heap snapshot: expected '{' but found ${describe(c)}`,
            at,
            'not-a-snapshot',
          );
        this.state = Top.KeyOrEnd;
        return p + 1;
      case Top.KeyOrEnd:
        if (isWs(c)) return p + 1;
        if (c === 0x7d && this.seen.size === 0) {
          this.state = Top.End;
          return p + 1;
        }
        if (c !== 0x22) this.fail(`expected a section name but found ${describe(c)}`, at);
        this.key = [];
        this.keyEscaped = false;
        this.state = Top.Key;
        return p + 1;
      case Top.Key:
        if (this.keyEscaped) this.keyEscaped = false;
        else if (c === 0x5c) this.keyEscaped = true;
        else if (c === 0x22) {
          this.state = Top.Colon;
          return p + 1;
        } else if (c < 0x20) this.fail('control character in a section name', at);
        if (this.key.length > 256) this.fail('section name too long', at);
        this.key.push(c);
        return p + 1;
      case Top.Colon:
        if (isWs(c)) return p + 1;
        if (c !== 0x3a) this.fail(`expected ':' but found ${describe(c)}`, at);
        this.state = Top.Value;
        return p + 1;
      case Top.Value:
        if (isWs(c)) return p + 1;
        this.startValue(c, at);
        // Capture/skip states re-read the opening bracket themselves.
        return (this.state as Top) === Top.Capture ||
          (this.state as Top) === Top.Skip ||
          (this.state as Top) === Top.SkipNumbers
          ? p
          : p + 1;
      case Top.CommaOrEnd:
        if (isWs(c)) return p + 1;
        if (c === 0x2c) {
          this.state = Top.KeyOrEnd;
          this.section = 'file';
          return p + 1;
        }
        if (c === 0x7d) {
          this.state = Top.End;
          this.section = 'file';
          return p + 1;
        }
        return this.fail(`expected ',' or '}' after a section but found ${describe(c)}`, at);
      case Top.End:
        if (isWs(c) || c === 0) return p + 1;
        return this.fail(`unexpected ${describe(c)} after the end of the snapshot`, at);
      default:
        return this.fail('internal reader state', at);
    }
  }

  private startValue(c: number, at: number): void {
    const key = Buffer.from(this.key).toString('latin1');
    if (this.seen.has(key)) this.fail(`duplicate section "${key}"`, at);
    this.seen.add(key);
    this.section = key;
    const wantsArray =
      key === 'nodes' ||
      key === 'edges' ||
      key === 'locations' ||
      key === 'strings' ||
      (this.hasTraces && (key === 'trace_function_infos' || key === 'trace_tree'));
    if (key === 'snapshot') {
      if (c !== 0x7b) this.fail(`expected an object but found ${describe(c)}`, at);
      this.beginValue(Top.Capture, at);
      return;
    }
    if (!wantsArray) {
      this.beginValue(Top.Skip, at);
      return;
    }
    if (c !== 0x5b) this.fail(`expected '[' but found ${describe(c)}`, at);
    const meta = this.meta;
    if (!meta) this.fail(`section "${key}" comes before the snapshot meta`, at, 'not-a-snapshot');
    if (key === 'trace_tree') {
      this.state = Top.TraceTree;
      this.tree.begin(meta.traceNodeFields);
      return;
    }
    if (key === 'strings') {
      this.state = Top.StrArray;
      this.strState = 0;
      this.count = 0;
      // The `ids` mode of a tracked file keeps the traces, which name functions.
      if (this.mode === 'ids' && !this.hasTraces) this.beginValue(Top.Skip, at);
      return;
    }
    this.state = Top.NumArray;
    this.numState = 0;
    this.count = 0;
    this.field = 0;
    if (key === 'nodes') {
      this.arrayKind = 'nodes';
      this.fieldCount = meta.nodeFields.length;
      this.nameField = meta.nodeFields.indexOf('name');
      this.roles = meta.nodeFields.map((f) => {
        if (f === 'type') return Role.Type;
        if (f === 'name') return Role.Name;
        if (f === 'id') return Role.Id;
        if (f === 'self_size') return Role.Size;
        if (f === 'edge_count') return Role.EdgeCount;
        if (f === 'detachedness') return Role.Detachedness;
        if (f === 'trace_node_id' && this.hasTraces) return Role.TraceNode;
        return Role.Ignore;
      });
      if (this.mode === 'ids')
        this.roles = this.roles.map((r) =>
          r === Role.Id || r === Role.TraceNode ? r : Role.Ignore,
        );
      this.limits = meta.nodeFields.map((f) =>
        f === 'type'
          ? meta.nodeTypes.length
          : f === 'edge_count'
            ? meta.edgeCount + 1
            : f === 'detachedness'
              ? 3
              : U32_MAX + 1,
      );
      this.setupColumns(meta.nodeCount, -1, 1);
      this.fastEdges = false;
      const fields = meta.nodeFields.join();
      this.fastNodes =
        fields === 'type,name,id,self_size,edge_count,trace_node_id' ||
        fields === 'type,name,id,self_size,edge_count,trace_node_id,detachedness';
    } else if (key === 'edges') {
      if (this.mode !== 'full') {
        this.beginValue(Top.SkipNumbers, at);
        return;
      }
      this.arrayKind = 'edges';
      this.fieldCount = meta.edgeFields.length;
      this.nameField = meta.edgeFields.indexOf('name_or_index');
      this.roles = meta.edgeFields.map((f) =>
        f === 'type'
          ? Role.Type
          : f === 'name_or_index'
            ? Role.Name
            : f === 'to_node'
              ? Role.To
              : Role.Ignore,
      );
      const nodesLength = meta.nodeCount * meta.nodeFields.length;
      this.limits = meta.edgeFields.map((f) =>
        f === 'type' ? meta.edgeTypes.length : f === 'to_node' ? nodesLength : U32_MAX + 1,
      );
      this.setupColumns(meta.edgeCount, meta.edgeFields.indexOf('to_node'), meta.nodeFields.length);
      this.fastEdges = meta.edgeFields.join() === 'type,name_or_index,to_node';
      this.fastNodes = false;
    } else if (key === 'trace_function_infos') {
      this.arrayKind = 'traceFunctions';
      this.fieldCount = meta.traceFunctionInfoFields.length;
      this.nameField = -1;
      this.roles = meta.traceFunctionInfoFields.map(() => Role.Ignore);
      this.limits = meta.traceFunctionInfoFields.map(() => U32_MAX + 1);
      this.traceFunctionsLength = 0;
    } else {
      if (this.mode !== 'full' || meta.locationFields.length === 0) {
        this.beginValue(Top.Skip, at);
        return;
      }
      this.arrayKind = 'locations';
      this.fieldCount = meta.locationFields.length;
      this.nameField = -1;
      this.roles = meta.locationFields.map(() => Role.Ignore);
      this.limits = meta.locationFields.map((f) =>
        f === 'object_index' ? meta.nodeCount * meta.nodeFields.length : U32_MAX + 1,
      );
    }
  }

  private setupColumns(capacity: number, toField: number, divisor: number): void {
    const nodes = this.arrayKind === 'nodes';
    this.cols = this.roles.map((role) => {
      switch (role) {
        case Role.Type:
          return nodes ? this.nodeType : this.edgeType;
        case Role.Name:
          return nodes ? this.nodeName : this.edgeName;
        case Role.Id:
          return this.nodeId;
        case Role.Size:
          return this.nodeSelfSize;
        case Role.EdgeCount:
          return this.firstEdge.length > 0 ? this.firstEdge.subarray(1) : null;
        case Role.Detachedness:
          return this.nodeDetachedness.length > 0 ? this.nodeDetachedness : null;
        case Role.TraceNode:
          return this.nodeTraceId.length > 0 ? this.nodeTraceId : null;
        case Role.To:
          return this.edgeTo;
        default:
          return null;
      }
    });
    this.limitArr = Float64Array.from(this.limits);
    this.toField = toField;
    this.divisor = divisor;
    this.capacity = capacity;
  }

  /**
   * Skips a number array the caller does not need with a native search for its closing
   * bracket: the cheap modes only promise ids, not a validation of the skipped section.
   */
  private skipNumbers(buf: Buffer, p: number): number {
    if (this.depth === 0) {
      this.depth = 1;
      return p + 1; // the opening bracket
    }
    const close = buf.indexOf(0x5d, p);
    if (close === -1) return buf.length;
    this.state = Top.CommaOrEnd;
    return close + 1;
  }

  private beginValue(state: Top.Capture | Top.Skip | Top.SkipNumbers, at: number): void {
    this.state = state;
    this.depth = 0;
    this.inStr = false;
    this.esc = false;
    this.captured = [];
    this.capturedBytes = 0;
    this.captureStart = at;
  }

  /** Skips (or captures, for the small `snapshot` header) one JSON value of any shape. */
  private feedValue(buf: Buffer, start: number, base: number): number {
    let p = start;
    const end = buf.length;
    let done = false;
    let stopAt = end;
    for (; p < end; p++) {
      const c = buf[p];
      if (this.inStr) {
        if (this.esc) this.esc = false;
        else if (c === 0x5c) this.esc = true;
        else if (c === 0x22) {
          this.inStr = false;
          if (this.depth === 0) {
            done = true;
            stopAt = p + 1;
            break;
          }
        }
        continue;
      }
      if (c === 0x22) this.inStr = true;
      else if (c === 0x7b || c === 0x5b) {
        if (this.depth >= MAX_DEPTH) this.fail('nesting too deep', base + p);
        if (this.depth >= this.stack.length) {
          const grown = new Uint8Array(this.stack.length * 2);
          grown.set(this.stack);
          this.stack = grown;
        }
        this.stack[this.depth++] = c;
      } else if ((c === 0x7d || c === 0x5d) && this.depth === 0) {
        // A bare scalar (`"x": 1}`) ends at the bracket of its enclosing object.
        done = true;
        stopAt = p;
        break;
      } else if (c === 0x7d || c === 0x5d) {
        const open = this.stack[this.depth - 1];
        if (this.depth === 0 || open !== (c === 0x7d ? 0x7b : 0x5b))
          this.fail(`unbalanced ${describe(c)}`, base + p);
        this.depth--;
        if (this.depth === 0) {
          done = true;
          stopAt = p + 1;
          break;
        }
      } else if (this.depth === 0 && (c === 0x2c || c === 0x7d || isWs(c))) {
        // A bare scalar ended (e.g. `"trace_function_count": 0` style values at top level).
        done = true;
        stopAt = p;
        break;
      } else if (c < 0x20 && !isWs(c)) this.fail(`unexpected ${describe(c)}`, base + p);
    }
    if (this.state === Top.Capture) {
      this.capturedBytes += stopAt - start;
      if (this.capturedBytes > MAX_META_BYTES) this.fail('snapshot header is too large', base + p);
      this.captured.push(Buffer.from(buf.subarray(start, stopAt)));
    }
    if (!done) return end;
    if (this.state === Top.Capture)
      this.finishMeta(Buffer.concat(this.captured), this.captureStart);
    this.state = Top.CommaOrEnd;
    return stopAt;
  }

  private finishMeta(bytes: Buffer, at: number): void {
    if (!isUtf8(bytes)) this.fail('invalid UTF-8 in the snapshot header', at);
    let header: unknown;
    try {
      header = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new HeapSnapshotError(
        `the snapshot header is not valid JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`,
        at,
        'snapshot',
        { cause: error },
      );
    }
    this.meta = parseMeta(header, at, this.fileSize);
    const { nodeCount, edgeCount } = this.meta;
    // V8 writes a trace_node_id column in every snapshot, all zeros unless allocations were
    // tracked: keep it only then, so an untracked file costs nothing extra. A diff's target
    // (`ids`) keeps it too: its survivors are younger there, and V8 loses or mixes up the traces
    // of objects that lived through an earlier snapshot.
    this.hasTraces =
      this.mode !== 'nodes' &&
      this.meta.traceFunctionCount > 0 &&
      this.meta.nodeFields.includes('trace_node_id');
    if (this.hasTraces) this.nodeTraceId = new Uint32Array(nodeCount);
    if (this.mode === 'ids') {
      this.nodeId = new Uint32Array(nodeCount);
      return;
    }
    this.nodeType = new Uint8Array(nodeCount);
    this.nodeName = new Uint32Array(nodeCount);
    this.nodeId = new Uint32Array(nodeCount);
    if (this.mode === 'nodes') {
      this.nodeSelfSize = new Uint32Array(nodeCount);
      return;
    }
    // Shared memory: the dominator worker adds up retained sizes from the final self sizes.
    this.nodeSelfSize = new Uint32Array(new SharedArrayBuffer(nodeCount * 4));
    // Shared memory, like edgeTo below.
    this.firstEdge = new Uint32Array(new SharedArrayBuffer((nodeCount + 1) * 4));
    if (this.meta.nodeFields.includes('detachedness'))
      this.nodeDetachedness = new Uint8Array(nodeCount);
    this.edgeType = new Uint8Array(edgeCount);
    this.edgeName = new Uint32Array(edgeCount);
    // Shared memory: the dominator worker reads the graph without a copy.
    this.edgeTo = new Uint32Array(new SharedArrayBuffer(edgeCount * 4));
  }

  /**
   * Hot loop: digits, commas and whitespace straight into the typed columns of nodes/edges.
   * Nodes and edges in V8's standard field order take {@link nodeEntries} and
   * {@link edgeEntries}, whole entries at a time; anything unusual (chunk end, whitespace, bad
   * values) goes through the general loop here, which also produces the precise errors.
   */
  private feedNumbers(buf: Buffer, start: number, base: number): number {
    if (this.arrayKind === 'locations' || this.arrayKind === 'traceFunctions')
      return this.feedLocations(buf, start, base);
    const end = buf.length;
    const cols = this.cols;
    const limits = this.limitArr;
    const fc = this.fieldCount;
    const toField = this.toField;
    const div = this.divisor;
    const cap = this.capacity;
    let st = this.numState;
    let v = this.value;
    let f = this.field;
    let i = this.count;
    let p = start;
    const fastNodes = this.fastNodes;
    const fastEdges = this.fastEdges;
    const nameField = this.nameField;
    while (p < end) {
      if (st === 0 && f === 0 && (fastNodes || fastEdges)) {
        this.count = i;
        p = fastNodes ? this.nodeEntries(buf, p) : this.edgeEntries(buf, p);
        i = this.count;
        if (p === end) break;
      }
      let c = buf[p];
      if (c >= 48 && c <= 57) {
        if (st === 2) this.failAt('two numbers without a comma', base + p, i, f);
        // Inner loop over a run of digits: most of the file is short numbers.
        let w = st === 1 ? v : 0;
        do {
          w = w * 10 + (c - 48);
          if (++p === end) break;
          c = buf[p];
        } while (c >= 48 && c <= 57);
        v = w;
        st = 1;
        if (p === end) break;
      }
      if (c === 0x2c || c === 0x5d) {
        if (st !== 0) {
          if (f === 0 && i >= cap)
            this.failAt(
              `more ${this.arrayKind} than ${this.arrayKind === 'nodes' ? 'node' : 'edge'}_count (${cap})`,
              base + p,
              i,
              f,
            );
          if (v >= limits[f]) this.outOfRange(v, base + p, i, f);
          if (f === toField) {
            if (v % div !== 0)
              this.failAt(
                `edge ${i} points to ${v}, not a multiple of the node field count ${div}`,
                base + p,
                i,
                f,
              );
            v = v / div;
          }
          if (f === nameField && v > this.maxName) this.maxName = v;
          const col = cols[f];
          if (col !== null) col[i] = v;
          if (++f === fc) {
            f = 0;
            i++;
          }
          st = 0;
        } else if (c === 0x2c || i > 0 || f > 0) {
          this.failAt(
            c === 0x2c ? 'missing number before a comma' : 'trailing comma',
            base + p,
            i,
            f,
          );
        }
        if (c === 0x5d) {
          this.numState = 0;
          this.count = i;
          this.field = f;
          this.finishNumbers(base + p);
          this.state = Top.CommaOrEnd;
          return p + 1;
        }
        p++;
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (st === 1) st = 2;
        p++;
      } else this.failAt(`unexpected ${describe(c)} in a number array`, base + p, i, f);
    }
    this.numState = st;
    this.value = v;
    this.field = f;
    this.count = i;
    return p;
  }

  /**
   * Whole node entries in V8's standard order (type, name, id, self_size, edge_count,
   * trace_node_id[, detachedness]) from `p` on, as far as they are well-formed and the chunk
   * holds them; returns where it stopped. A method of its own, so that the optimising compiler
   * sees only node entries here and edge entries in {@link edgeEntries}: one loop for both kept
   * throwing its compiled code away at each new kind of value (five times per file).
   */
  private nodeEntries(buf: Buffer, p: number): number {
    const end = buf.length;
    const fc = this.fieldCount;
    const limits = this.limitArr;
    const cap = this.capacity;
    const entry = this.entry;
    const keepNames = this.nodeName.length > 0;
    const edgeCounts = this.firstEdge.length > 0 ? this.firstEdge : null;
    const keepDetachedness = this.nodeDetachedness.length > 0;
    const traceIds = this.nodeTraceId.length > 0 ? this.nodeTraceId : null;
    let maxName = this.maxName;
    let i = this.count;
    while (i < cap && end - p > 120) {
      let q = p;
      let ok = true;
      for (let k = 0; k < fc && ok; k++) {
        let c = buf[q];
        if (c < 48 || c > 57) {
          ok = false;
          break;
        }
        let w = 0;
        do {
          w = w * 10 + (c - 48);
          c = buf[++q];
        } while (c >= 48 && c <= 57);
        if (k < fc - 1) ok = c === 0x2c;
        else if (c === 0x0a && buf[q + 1] === 0x2c) q++;
        else ok = c === 0x2c;
        q++;
        entry[k] = w;
        ok = ok && w < limits[k];
      }
      if (!ok) break;
      if (keepNames) {
        this.nodeType[i] = entry[0];
        this.nodeName[i] = entry[1];
        this.nodeSelfSize[i] = entry[3];
      }
      this.nodeId[i] = entry[2];
      if (edgeCounts !== null) edgeCounts[i + 1] = entry[4];
      if (keepDetachedness) this.nodeDetachedness[i] = entry[6];
      if (traceIds !== null) traceIds[i] = entry[5];
      if (entry[1] > maxName) maxName = entry[1];
      i++;
      p = q;
    }
    this.count = i;
    this.maxName = maxName;
    return p;
  }

  /** Whole edge entries (type, name_or_index, to_node), like {@link nodeEntries}. */
  private edgeEntries(buf: Buffer, p: number): number {
    const end = buf.length;
    const limits = this.limitArr;
    const typeLimit = limits[0];
    const toLimit = limits[2];
    const div = this.divisor;
    const cap = this.capacity;
    const edgeType = this.edgeType;
    const edgeName = this.edgeName;
    const edgeTo = this.edgeTo;
    let maxName = this.maxName;
    let i = this.count;
    while (i < cap && end - p > 40) {
      let q = p;
      let c = buf[q];
      let a = 0;
      let b = 0;
      let t = 0;
      let ok = c >= 48 && c <= 57;
      if (ok) {
        do {
          a = a * 10 + (c - 48);
          c = buf[++q];
        } while (c >= 48 && c <= 57);
        c = buf[++q];
        ok = buf[q - 1] === 0x2c && c >= 48 && c <= 57;
      }
      if (ok) {
        do {
          b = b * 10 + (c - 48);
          c = buf[++q];
        } while (c >= 48 && c <= 57);
        c = buf[++q];
        ok = buf[q - 1] === 0x2c && c >= 48 && c <= 57;
      }
      if (ok) {
        do {
          t = t * 10 + (c - 48);
          c = buf[++q];
        } while (c >= 48 && c <= 57);
        // The separator: ',' or a newline followed by ','.
        if (c === 0x0a && buf[q + 1] === 0x2c) q++;
        else ok = c === 0x2c;
      }
      // to_node must be a multiple of the node field count. The quotient is below the node
      // count, so an int32 test replaces the much slower floating-point modulo.
      const to = t / div;
      if (!(ok && a < typeLimit && b <= U32_MAX && t < toLimit && (to | 0) === to)) break;
      edgeType[i] = a;
      edgeName[i] = b;
      edgeTo[i] = to;
      if (b > maxName) maxName = b;
      i++;
      p = q + 1;
    }
    this.count = i;
    this.maxName = maxName;
    return p;
  }

  private failAt(message: string, at: number, count: number, field: number): never {
    this.count = count;
    this.field = field;
    this.fail(message, at);
  }

  private outOfRange(v: number, at: number, i: number, f: number): never {
    if (f === this.toField)
      this.failAt(
        `edge ${i} points to node index ${v}, beyond the ${this.meta?.nodeCount} nodes`,
        at,
        i,
        f,
      );
    this.failAt(`value ${v} out of range for field "${this.fieldName(f)}" of entry ${i}`, at, i, f);
  }

  /** The (small) locations and trace function sections: same syntax, kept as flat tuples. */
  private feedLocations(buf: Buffer, start: number, base: number): number {
    const end = buf.length;
    let st = this.numState;
    let v = this.value;
    let p = start;
    for (; p < end; p++) {
      const c = buf[p];
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        if (st === 1) v = v * 10 + d;
        else if (st === 0) {
          v = d;
          st = 1;
        } else this.fail('two numbers without a comma', base + p);
      } else if (c === 0x2c) {
        if (st === 0) this.fail('missing number before a comma', base + p);
        this.store(v, base + p);
        st = 0;
      } else if (c === 0x5d) {
        if (st !== 0) this.store(v, base + p);
        else if (this.count > 0) this.fail('trailing comma', base + p);
        this.numState = 0;
        this.finishNumbers(base + p);
        this.state = Top.CommaOrEnd;
        return p + 1;
      } else if (isWs(c)) {
        if (st === 1) st = 2;
      } else this.fail(`unexpected ${describe(c)} in a number array`, base + p);
    }
    this.numState = st;
    this.value = v;
    return p;
  }

  private store(v: number, at: number): void {
    const f = this.field;
    if (v >= this.limits[f]) this.outOfRange(v, at, this.count, f);
    if (this.arrayKind === 'traceFunctions') {
      if (this.traceFunctionsLength >= this.traceFunctions.length) {
        const grown = new Uint32Array(Math.max(1024, this.traceFunctions.length * 2));
        grown.set(this.traceFunctions);
        this.traceFunctions = grown;
      }
      this.traceFunctions[this.traceFunctionsLength++] = v;
      if (++this.field === this.fieldCount) {
        this.field = 0;
        this.count++;
      }
      return;
    }
    if (this.locationLength >= this.locations.length) {
      const grown = new Uint32Array(Math.max(1024, this.locations.length * 2));
      grown.set(this.locations);
      this.locations = grown;
    }
    const nf = this.meta?.nodeFields.length ?? 1;
    const isIndex = this.meta?.locationFields[f] === 'object_index';
    if (isIndex && v % nf !== 0)
      this.fail(`location ${this.count} names object index ${v}, not a node start`, at);
    this.locations[this.locationLength++] = isIndex ? v / nf : v;
    if (++this.field === this.fieldCount) {
      this.field = 0;
      this.count++;
    }
  }

  private fieldName(f: number): string {
    const meta = this.meta;
    if (!meta) return String(f);
    const names =
      this.arrayKind === 'nodes'
        ? meta.nodeFields
        : this.arrayKind === 'edges'
          ? meta.edgeFields
          : this.arrayKind === 'traceFunctions'
            ? meta.traceFunctionInfoFields
            : meta.locationFields;
    return names[f] ?? String(f);
  }

  private finishNumbers(at: number): void {
    if (this.field !== 0)
      this.fail(
        `the array ends in the middle of an entry (${this.field} of ${this.fieldCount} fields)`,
        at,
      );
    const meta = this.meta;
    if (!meta) return;
    if (this.arrayKind === 'nodes' && this.count !== meta.nodeCount)
      this.fail(
        `node_count is ${meta.nodeCount} but the nodes array holds ${this.count} nodes`,
        at,
      );
    if (this.arrayKind === 'edges' && this.count !== meta.edgeCount)
      this.fail(
        `edge_count is ${meta.edgeCount} but the edges array holds ${this.count} edges`,
        at,
      );
    if (this.arrayKind === 'locations')
      this.locations = this.locations.slice(0, this.locationLength);
    // No check against trace_function_count: V8 counts the functions before it writes them,
    // and JavaScript that runs meanwhile (an in-process inspector session writing the chunks)
    // adds more.
  }

  /** Hot loop for the string table: copies raw (still escaped) bytes, validates escapes. */
  private feedStrings(buf: Buffer, start: number, base: number): number {
    const end = buf.length;
    const table = this.strings;
    let p = start;
    while (p < end) {
      if (this.strState === 1) {
        const from = p;
        let high = false;
        for (; p < end; p++) {
          const c = buf[p];
          if (this.strEscape !== 0) {
            if (this.strEscape === 1) {
              if (c === 0x75) this.strEscape = 2;
              else if (
                c === 0x22 ||
                c === 0x5c ||
                c === 0x2f ||
                c === 0x62 ||
                c === 0x66 ||
                c === 0x6e ||
                c === 0x72 ||
                c === 0x74
              )
                this.strEscape = 0;
              else
                this.fail(
                  `invalid escape \\${String.fromCharCode(c)} in string ${this.count}`,
                  base + p,
                );
            } else {
              const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
              if (!hex) this.fail(`invalid \\u escape in string ${this.count}`, base + p);
              this.strEscape = this.strEscape === 5 ? 0 : this.strEscape + 1;
            }
            continue;
          }
          if (c === 0x22) break;
          if (c === 0x5c) {
            this.strEscape = 1;
            this.strHasEscape = true;
          } else if (c >= 0x80) high = true;
          else if (c < 0x20) this.fail(`control character in string ${this.count}`, base + p);
        }
        if (high) this.strHigh = true;
        table.append(buf, from, p);
        if (p === end) return p;
        // Closing quote.
        if (this.strHigh && !table.lastIsUtf8())
          this.fail(`invalid UTF-8 in string ${this.count}`, this.strStart);
        table.finish(this.strHasEscape);
        this.count++;
        this.strState = 2;
        p++;
        continue;
      }
      const c = buf[p];
      if (isWs(c)) {
        p++;
        continue;
      }
      if (this.strState === 0) {
        if (c === 0x22) {
          this.strState = 1;
          this.strHigh = false;
          this.strHasEscape = false;
          this.strEscape = 0;
          this.strStart = base + p;
          table.begin();
          p++;
          continue;
        }
        if (c === 0x5d && this.count === 0) {
          this.state = Top.CommaOrEnd;
          return p + 1;
        }
        this.fail(`expected a string but found ${describe(c)}`, base + p);
      }
      // After a string.
      if (c === 0x2c) {
        this.strState = 0;
        p++;
        continue;
      }
      if (c === 0x5d) {
        this.state = Top.CommaOrEnd;
        return p + 1;
      }
      this.fail(`expected ',' or ']' but found ${describe(c)}`, base + p);
    }
    return p;
  }

  /** Validates what only the complete file can tell, and returns the columns. */
  finish(atEnd: number): RawSnapshot {
    if (atEnd === 0)
      throw new HeapSnapshotError('the file is empty', 0, 'file', { problem: 'incomplete' });
    if (this.state !== Top.End)
      this.fail(`the file is truncated: it ends inside "${this.section}"`, atEnd, 'incomplete');
    const meta = this.meta;
    this.section = 'file';
    if (!meta)
      this.fail('not a heap snapshot: no "snapshot" meta section', atEnd, 'not-a-snapshot');
    for (const required of ['nodes', 'edges', 'strings'])
      if (!this.seen.has(required)) this.fail(`missing the "${required}" section`, atEnd);
    const { nodeCount, edgeCount } = meta;
    const stringCount = this.strings.count;
    // Element and hidden edges name an index, not a string, and may exceed the table; only
    // look closer when some name does.
    const nameOutOfRange = this.maxName >= stringCount;
    if (this.mode !== 'ids' && nameOutOfRange) {
      this.section = 'nodes';
      for (let i = 0; i < nodeCount; i++)
        if (this.nodeName[i] >= stringCount)
          this.fail(`node ${i} names string ${this.nodeName[i]} of ${stringCount}`, atEnd);
    }
    const firstEdge = this.firstEdge;
    if (this.mode === 'full') {
      // Edge counts sit one place to the right; adding them up in place makes the offsets.
      // The sum is a double, so absurd counts cannot wrap around to a plausible total.
      let e = 0;
      for (let i = 0; i < nodeCount; i++) {
        e += firstEdge[i + 1];
        firstEdge[i + 1] = e;
      }
      if (e !== edgeCount)
        this.fail(`the nodes' edge counts add up to ${e}, but edge_count is ${edgeCount}`, atEnd);
      if (nameOutOfRange) {
        this.section = 'edges';
        const element = meta.edgeTypes.indexOf('element');
        const hidden = meta.edgeTypes.indexOf('hidden');
        const { edgeType, edgeName } = this;
        for (let i = 0; i < edgeCount; i++) {
          const t = edgeType[i];
          if (t !== element && t !== hidden && edgeName[i] >= stringCount)
            this.fail(`edge ${i} names string ${edgeName[i]} of ${stringCount}`, atEnd);
        }
      }
    }
    const traces = this.hasTraces ? this.finishTraces(atEnd, stringCount) : undefined;
    this.strings.trim();
    return {
      meta,
      nodeCount,
      edgeCount,
      nodeType: this.nodeType,
      nodeName: this.nodeName,
      nodeId: this.nodeId,
      nodeSelfSize: this.nodeSelfSize,
      nodeDetachedness: this.nodeDetachedness,
      firstEdge,
      edgeType: this.edgeType,
      edgeName: this.edgeName,
      edgeTo: this.edgeTo,
      locations: this.locations,
      strings: this.strings,
      fileSize: this.fileSize,
      ...(traces ? { traces } : {}),
    };
  }

  /** Checks the trace sections against each other and the nodes, and indexes them by id. */
  private finishTraces(atEnd: number, stringCount: number): AllocationTraces {
    const meta = this.meta as SnapshotMeta;
    for (const required of ['trace_function_infos', 'trace_tree'])
      if (!this.seen.has(required))
        this.fail(`missing the "${required}" section of a snapshot with allocation traces`, atEnd);
    this.section = 'trace_function_infos';
    const fields = meta.traceFunctionInfoFields;
    const width = fields.length;
    const count = this.traceFunctionsLength / width;
    const column = (name: string): Uint32Array => {
      const f = fields.indexOf(name);
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = this.traceFunctions[i * width + f];
      return out;
    };
    // Decoded now (a few thousand at most): the traces then stand alone, without the table.
    const names = (indexes: Uint32Array): string[] =>
      Array.from(indexes, (index, i) => {
        if (index >= stringCount)
          this.fail(`trace function ${i} names a string beyond the ${stringCount} strings`, atEnd);
        return this.strings.get(index);
      });
    const functionName = names(column('name'));
    const scriptName = names(column('script_name'));
    this.section = 'trace_tree';
    const { parent, functionIndex } = this.tree.byId(count, (message) => this.fail(message, atEnd));
    this.section = 'nodes';
    const nodeTraceId = this.nodeTraceId;
    const ids = parent.length;
    for (let i = 0; i < nodeTraceId.length; i++) {
      const id = nodeTraceId[i];
      if (id !== 0 && (id >= ids || parent[id] === NO_TRACE_NODE))
        this.fail(`node ${i} names trace node ${id}, which the trace tree does not have`, atEnd);
    }
    this.section = 'file';
    return {
      nodeTraceId,
      parent,
      functionIndex,
      functionName,
      scriptName,
      scriptId: column('script_id'),
      line: column('line'),
      column: column('column'),
    };
  }
}

/**
 * The `trace_tree` section: nested arrays `[id, function_info_index, count, size, [children…],
 * id, …]`, walked byte by byte with an explicit stack (a recursive program makes deep trees)
 * into flat arrays in file order: id, function-info index and parent ordinal per trace node.
 */
class TraceTreeParser {
  done = false;
  private fieldCount = 5;
  private idField = 0;
  private functionField = 1;
  // Per open list: the ordinal of the trace node whose children it holds (-1 for the top).
  private parents = new Int32Array(64);
  private depth = 0;
  /** Position in the current entry: 0..fieldCount-2 numbers, fieldCount-1 the child list. */
  private field = 0;
  /** 0 expecting a value, 1 in a number, 2 after a number, 3 after an entry's child list. */
  private st = 0;
  private fresh = true;
  private value = 0;
  private id = 0;
  private fn = 0;
  count = 0;
  private ids = new Uint32Array(256);
  private functions = new Uint32Array(256);
  private parentOf = new Int32Array(256);
  private maxId = 0;

  begin(fields: string[]): void {
    this.fieldCount = fields.length;
    this.idField = fields.indexOf('id');
    this.functionField = fields.indexOf('function_info_index');
    this.done = false;
    this.depth = 1;
    this.parents[0] = -1;
    this.field = 0;
    this.st = 0;
    this.fresh = true;
  }

  feed(
    buf: Buffer,
    start: number,
    base: number,
    fail: (message: string, at: number) => never,
  ): number {
    const end = buf.length;
    const last = this.fieldCount - 1;
    for (let p = start; p < end; p++) {
      const c = buf[p];
      if (c >= 48 && c <= 57) {
        if (this.st === 1) this.value = this.value * 10 + (c - 48);
        else if (this.st === 0 && this.field < last) {
          this.value = c - 48;
          this.st = 1;
        } else fail(`unexpected digit in the trace tree`, base + p);
      } else if (c === 0x2c) {
        if (this.st === 1 || this.st === 2) {
          this.storeField(this.value, base + p, fail);
          this.st = 0;
        } else if (this.st === 3) {
          this.field = 0;
          this.st = 0;
        } else fail('missing number before a comma in the trace tree', base + p);
        this.fresh = false;
      } else if (c === 0x5b) {
        if (this.st !== 0 || this.field !== last)
          fail(`unexpected '[' in the trace tree (field ${this.field} of an entry)`, base + p);
        if (this.depth >= this.parents.length) {
          if (this.depth >= MAX_DEPTH) fail('trace tree nesting too deep', base + p);
          const grown = new Int32Array(this.parents.length * 2);
          grown.set(this.parents);
          this.parents = grown;
        }
        this.parents[this.depth++] = this.count - 1;
        this.field = 0;
        this.fresh = true;
      } else if (c === 0x5d) {
        if (!(this.st === 3 || (this.st === 0 && this.field === 0 && this.fresh)))
          fail(
            this.st === 0 && this.field === 0
              ? 'trailing comma in the trace tree'
              : `a trace tree entry ends after ${this.field + (this.st === 0 ? 0 : 1)} of ${this.fieldCount} fields`,
            base + p,
          );
        this.depth--;
        this.st = 3;
        this.fresh = false;
        if (this.depth === 0) {
          this.done = true;
          return p + 1;
        }
      } else if (isWs(c)) {
        if (this.st === 1) this.st = 2;
      } else fail(`unexpected ${describe(c)} in the trace tree`, base + p);
    }
    return end;
  }

  private storeField(v: number, at: number, fail: (message: string, at: number) => never): void {
    const f = this.field;
    if (f === this.idField) {
      if (v === 0 || v > U32_MAX - 1) fail(`trace node id ${v} is out of range`, at);
      this.id = v;
    } else if (f === this.functionField) {
      if (v > U32_MAX) fail(`function index ${v} is out of range`, at);
      this.fn = v;
    }
    this.field++;
    if (this.field === this.fieldCount - 1) {
      // The numbers are complete: record the entry before its children.
      const i = this.count++;
      if (i >= this.ids.length) {
        const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
          const b = make(a.length * 2);
          b.set(a);
          return b;
        };
        this.ids = grow(this.ids, (n) => new Uint32Array(n));
        this.functions = grow(this.functions, (n) => new Uint32Array(n));
        this.parentOf = grow(this.parentOf, (n) => new Int32Array(n));
      }
      this.ids[i] = this.id;
      this.functions[i] = this.fn;
      this.parentOf[i] = this.parents[this.depth - 1];
      if (this.id > this.maxId) this.maxId = this.id;
    }
  }

  /** Parent id and function per trace node id. V8 numbers them 1..n; sparse ids are bounded. */
  byId(
    functionCount: number,
    fail: (message: string) => never,
  ): { parent: Uint32Array; functionIndex: Uint32Array } {
    const n = this.count;
    if (this.maxId > 4 * n + 1024)
      fail(`trace node id ${this.maxId} is far beyond the ${n} trace nodes`);
    const parent = new Uint32Array(this.maxId + 1).fill(NO_TRACE_NODE);
    const functionIndex = new Uint32Array(this.maxId + 1);
    for (let i = 0; i < n; i++) {
      const id = this.ids[i];
      if (parent[id] !== NO_TRACE_NODE) fail(`trace node id ${id} appears twice`);
      if (this.functions[i] >= functionCount)
        fail(`trace node ${id} names function ${this.functions[i]} of ${functionCount}`);
      const up = this.parentOf[i];
      parent[id] = up < 0 ? 0 : this.ids[up];
      functionIndex[id] = this.functions[i];
    }
    return { parent, functionIndex };
  }
}

function describe(c: number | undefined): string {
  if (c === undefined) return 'the end of the file';
  if (c >= 0x21 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

function stringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function parseMeta(header: unknown, at: number, fileSize: number): SnapshotMeta {
  // A header without V8's meta is some other JSON file, not a damaged snapshot.
  const fail = (message: string): never => {
    throw new HeapSnapshotError(message, at, 'snapshot', { problem: 'not-a-snapshot' });
  };
  if (typeof header !== 'object' || header === null) fail('the snapshot header is not an object');
  const h = header as Record<string, unknown>;
  const meta = h.meta as Record<string, unknown> | undefined;
  if (typeof meta !== 'object' || meta === null) fail('the snapshot header has no "meta"');
  const m = meta as Record<string, unknown>;
  const nodeFields = m.node_fields;
  const edgeFields = m.edge_fields;
  if (!stringArray(nodeFields)) fail('meta.node_fields is not a list of names');
  if (!stringArray(edgeFields)) fail('meta.edge_fields is not a list of names');
  const nf = nodeFields as string[];
  const ef = edgeFields as string[];
  for (const f of ['type', 'name', 'id', 'self_size', 'edge_count'])
    if (!nf.includes(f)) fail(`meta.node_fields lacks "${f}"`);
  for (const f of ['type', 'name_or_index', 'to_node'])
    if (!ef.includes(f)) fail(`meta.edge_fields lacks "${f}"`);
  const nodeTypes = (m.node_types as unknown[] | undefined)?.[nf.indexOf('type')];
  const edgeTypes = (m.edge_types as unknown[] | undefined)?.[ef.indexOf('type')];
  if (!stringArray(nodeTypes) || nodeTypes.length === 0 || nodeTypes.length > 255)
    fail('meta.node_types does not list the node types');
  if (!stringArray(edgeTypes) || edgeTypes.length === 0 || edgeTypes.length > 255)
    fail('meta.edge_types does not list the edge types');
  const locationFields = m.location_fields === undefined ? [] : m.location_fields;
  if (!stringArray(locationFields)) fail('meta.location_fields is not a list of names');
  const lf = locationFields as string[];
  if (
    lf.length > 0 &&
    !['object_index', 'script_id', 'line', 'column'].every((f) => lf.includes(f))
  )
    fail('meta.location_fields lacks object_index/script_id/line/column');
  const traceFunctionCount = h.trace_function_count === undefined ? 0 : h.trace_function_count;
  const traceFunctionInfoFields = m.trace_function_info_fields ?? [];
  const traceNodeFields = m.trace_node_fields ?? [];
  const nodeCount = h.node_count;
  const edgeCount = h.edge_count;
  const isCount = (v: unknown): v is number =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!isCount(nodeCount)) fail('node_count is missing or not a count');
  if (!isCount(edgeCount)) fail('edge_count is missing or not a count');
  // Each number takes at least two bytes ("0,"), so a header claiming more cannot be honest;
  // checking here keeps a lying header from allocating gigabytes.
  if ((nodeCount as number) * nf.length * 2 > fileSize)
    fail(
      `node_count ${nodeCount} cannot fit in ${fileSize} bytes: the file is truncated or the header is wrong`,
    );
  if ((edgeCount as number) * ef.length * 2 > fileSize)
    fail(
      `edge_count ${edgeCount} cannot fit in ${fileSize} bytes: the file is truncated or the header is wrong`,
    );
  if ((nodeCount as number) === 0) fail('node_count is 0: a snapshot has at least a root node');
  if (!isCount(traceFunctionCount)) fail('trace_function_count is not a count');
  if (!stringArray(traceFunctionInfoFields))
    fail('meta.trace_function_info_fields is not a list of names');
  if (!stringArray(traceNodeFields)) fail('meta.trace_node_fields is not a list of names');
  const tf = traceFunctionInfoFields as string[];
  const tn = traceNodeFields as string[];
  if ((traceFunctionCount as number) > 0) {
    for (const f of ['name', 'script_name', 'script_id', 'line', 'column'])
      if (!tf.includes(f)) fail(`meta.trace_function_info_fields lacks "${f}"`);
    if (
      !tn.includes('id') ||
      !tn.includes('function_info_index') ||
      tn.indexOf('children') !== tn.length - 1 ||
      tn.indexOf('id') === tn.length - 1
    )
      fail('meta.trace_node_fields lacks id/function_info_index or does not end with children');
    if ((traceFunctionCount as number) * tf.length * 2 > fileSize)
      fail(`trace_function_count ${traceFunctionCount} cannot fit in ${fileSize} bytes`);
  }
  const extra = h.extra_native_bytes;
  return {
    nodeFields: nf,
    nodeTypes: nodeTypes as string[],
    edgeFields: ef,
    edgeTypes: edgeTypes as string[],
    locationFields: lf,
    traceFunctionInfoFields: tf,
    traceNodeFields: tn,
    traceFunctionCount: traceFunctionCount as number,
    nodeCount: nodeCount as number,
    edgeCount: edgeCount as number,
    extraNativeBytes: typeof extra === 'number' && extra > 0 ? extra : 0,
  };
}

/**
 * Reads a `.heapsnapshot` file into typed arrays. Rejects with {@link HeapSnapshotError} for any
 * malformed input (and with an AbortError when `signal` fires).
 */
export async function readSnapshot(file: string, options: ReadOptions = {}): Promise<RawSnapshot> {
  const { signal, onProgress } = options;
  const chunkSize = options.chunkSize ?? 4 << 20;
  if (signal?.aborted) throw abortError(signal);
  let opened;
  try {
    // A FIFO, a folder or a device is refused before anything blocks on it.
    opened = await openRegularFile(file);
  } catch (error) {
    const why =
      error instanceof NotRegularFileError
        ? `it is ${error.kind}, not a regular file`
        : (error as Error).message;
    throw new HeapSnapshotError(`cannot open ${file}: ${why}`, 0, 'file', {
      cause: error,
      problem: 'unreadable',
    });
  }
  const { handle: fileHandle, size } = opened;
  let pending: Promise<number> | undefined;
  try {
    const parser = new SnapshotParser(size, options.mode ?? 'full');
    // Two buffers: the next chunk is read (on libuv's thread pool) while this one is parsed,
    // so the parser never waits for the disk or the page cache. The parser copies whatever it
    // keeps, so a buffer is free again once feed() returns.
    const length = Math.max(1, Math.min(chunkSize, size || 1));
    let current = Buffer.allocUnsafe(length);
    let spare = Buffer.allocUnsafe(length);
    const read = (buffer: Buffer, at: number): Promise<number> =>
      fileHandle.read(buffer, 0, buffer.length, at).then((r) => r.bytesRead);
    let offset = 0;
    pending = read(current, 0);
    for (;;) {
      const bytesRead = await pending;
      if (signal?.aborted) throw abortError(signal);
      if (bytesRead === 0) break;
      pending = read(spare, offset + bytesRead);
      parser.feed(bytesRead === current.length ? current : current.subarray(0, bytesRead), offset);
      offset += bytesRead;
      onProgress?.(offset, size);
      [current, spare] = [spare, current];
    }
    return parser.finish(offset);
  } catch (error) {
    // Named, so that the bad one of a diff's two or three files is known.
    if (error instanceof HeapSnapshotError)
      throw new HeapSnapshotError(`${file}: ${error.message}`, error.byteOffset, error.section, {
        cause: error,
        problem: error.problem,
      });
    if (isAbortError(error)) throw error;
    if (signal?.aborted) throw abortError(signal);
    // Allocation failures (RangeError) and I/O errors still leave as the typed error.
    throw new HeapSnapshotError(`cannot read ${file}: ${(error as Error).message}`, 0, 'file', {
      cause: error,
      problem: 'unreadable',
    });
  } finally {
    // A read still in flight when parsing failed must settle before the handle closes.
    await pending?.catch(() => 0);
    await fileHandle.close();
  }
}
