/**
 * The one hunt pipeline: the CLI's `hunt` and `check`, `validate`, and the editor's Find Leak
 * and Run Leak Check all run it; they differ only in the plan and in the rig it runs on.
 */
export { runHuntPipeline, type HuntOptions } from './pipeline';
export { planFromManifest, DEFAULT_REQUESTS_PER_RUNG, DEFAULT_RUNGS } from './plan';
export { withLaunchedServices, guardWith, loaderFor, type LaunchedRigOptions } from './rigs';
export { judge, bytesPerRequest, MIN_RUNGS, type VerdictInput, type Judgement } from './verdict';
export type * from './types';
export {
  huntApp,
  huntOnRig,
  checkApp,
  type AppHuntOptions,
  type RigHuntOptions,
  type RigRunner,
} from './app';
export {
  withCommandRig,
  commandName,
  CommandStartError,
  type CommandRigOptions,
  type CommandStartFailure,
} from './commandRig';
export { withAttachedRig, type AttachedRigOptions } from './attachRig';
export { inProcessDiff } from './inProcessDiff';
export {
  DEFAULT_HUNT_TIMEOUTS,
  HuntTimeoutError,
  ServiceUnresponsiveError,
  type HuntTimeouts,
} from './timeouts';
export { withFolderKeptOnSuccess } from './tempFolder';
