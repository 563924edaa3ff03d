/**
 * The exercises core: load and validate exercises and sets, materialise and reset a learner's
 * workspace, run setup and tests, validate exercises end to end, pack and unpack sets.
 * Plain Node; the editor and the CLI share it.
 */
export type * from './manifest';
export { ExerciseError, PackError, WorkspaceError, type Problem } from './errors';
export {
  loadExercise,
  loadSet,
  exerciseFileProblems,
  manifestProblems,
  setProblems,
  type Exercise,
} from './exercise';
export { readCatalog, type Catalog, type CatalogEntry } from './catalog';
export {
  markedExerciseDir,
  materialiseExercise,
  resetExercise,
  readWorkspaceMarker,
  applySolution,
  copyApp,
  MARKER_DIR,
  type WorkspaceMarker,
  type ResetResult,
} from './workspace';
export {
  runSetup,
  runTests,
  runCommand,
  findTypeScript,
  splitCommand,
  type CommandResult,
  type RunOptions,
  type SetupOptions,
} from './runner';
export {
  packSet,
  unpackPack,
  PACK_MANIFEST,
  DEFAULT_UNPACK_LIMITS,
  type PackFile,
  type PackManifest,
  type UnpackLimits,
  type UnpackResult,
} from './pack';
export {
  validateExercise,
  formatMargin,
  REQUIRED_MARGIN,
  type LeakCheck,
  type VariantCheck,
  type VariantName,
  type ExerciseValidation,
  type VariantResult,
  type ValidateOptions,
} from './validate';
export {
  exerciseChecks,
  runExerciseChecks,
  everyExerciseCheck,
  hintLadders,
  hintCount,
  leaksOf,
  survivingBytesPerRequest,
  type CheckOutcome,
  type ExerciseCheck,
  type HintLadder,
  type HintRung,
} from './leaks';
