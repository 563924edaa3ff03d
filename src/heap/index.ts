export {
  diffLoaded,
  diffSnapshots,
  openSnapshot,
  summarize,
  summarizeSnapshot,
  type EngineOptions,
} from './analysis';
export { HeapSnapshotError } from './errors';
export { HeapSnapshot } from './snapshot';
export { readSnapshot } from './reader';
export type { RawSnapshot, ReadMode, ReadOptions } from './reader';
export * from './results';
export type * from './protocol';
