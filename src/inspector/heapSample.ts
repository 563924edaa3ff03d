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
}
