// Its own module, free of Node types: the webview renders samples too (src/extension/protocol.ts).

/** One reading of a process's memory. */
export interface HeapSample {
  /** Milliseconds since the epoch. */
  time: number;
  /** V8 heap in use (`Runtime.getHeapUsage().usedSize`), bytes. */
  usedHeap: number;
  /** V8 heap reserved (`Runtime.getHeapUsage().totalSize`), bytes. */
  totalHeap: number;
  /** Resident set size of the whole process, bytes. */
  rss: number;
  /**
   * ArrayBuffer backing stores (Buffers, typed arrays), outside the V8 heap, bytes: a Buffer leak
   * grows this and RSS while `usedHeap` barely moves. Absent when the target cannot say.
   */
  arrayBuffers?: number;
}
