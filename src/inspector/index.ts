/**
 * The live engine: run Node services under the V8 inspector, sample and snapshot their heaps,
 * and judge leaks. Used by `leakhunt hunt` / `check`, exercise validation and the editor.
 */
export { launchServices, freePort, urlVariable, signalUntilExit } from './launch';
export { attach, connectSession, readProcRss } from './session';
export {
  InspectorError,
  ServiceExitedError,
  ServiceStartError,
  SnapshotError,
  describeExit,
} from './errors';
export type * from './types';
