import type { StringTable } from './strings';

const WEAK_MAP_EDGE =
  /^\d+(?<part> \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<table>\d+)\))$/;

/** What an internal edge's name says about a WeakMap entry: the key/value pair and its table. */
export interface WeakMapEdge {
  part: string;
  table: number;
}

/**
 * V8 names the internal edges of a WeakMap entry `N / part of key (…) -> value (…) pair in
 * WeakMap (table @id)`. Both the dominators (a value is held by key and table together) and the
 * distances (a value is reached once both parts are) read those names; parsing is cached per
 * string index, since the same names recur on every edge.
 */
export class WeakMapEdges {
  /** Per string index: 0 not parsed yet, 1 not a WeakMap edge name, k + 2 → edges[k]. */
  private state = new Uint32Array(0);
  private readonly edges: WeakMapEdge[] = [];

  constructor(private readonly strings: StringTable) {}

  /**
   * True when the name at `nameIndex` is known not to name a WeakMap entry, which lets hot
   * loops skip the call to {@link parse}. Call {@link parse} (any index) once first, so the
   * cache covers every string.
   */
  isPlain(nameIndex: number): boolean {
    return this.state[nameIndex] === 1;
  }

  /** The WeakMap entry an edge name describes, or null. */
  parse(nameIndex: number): WeakMapEdge | null {
    if (this.state.length < this.strings.count) {
      const grown = new Uint32Array(this.strings.count);
      grown.set(this.state);
      this.state = grown;
    }
    let state = this.state[nameIndex];
    if (state === 0) {
      const match = WEAK_MAP_EDGE.exec(this.strings.get(nameIndex));
      if (match?.groups) {
        this.edges.push({
          part: match.groups.part,
          table: Number.parseInt(match.groups.table, 10),
        });
        state = this.edges.length + 1;
      } else state = 1;
      this.state[nameIndex] = state;
    }
    return state === 1 ? null : this.edges[state - 2];
  }
}
