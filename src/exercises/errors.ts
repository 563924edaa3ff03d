import type { CommandResult } from './runner';

/** One thing wrong with an exercise or set: where (a JSON pointer or a relative path) and what. */
export interface Problem {
  /** JSON pointer into the manifest (`/check/service`) or a path inside the folder (`app/web/server.js`). */
  where: string;
  message: string;
}

/** An exercise or set folder that cannot be used as it is; lists every problem found at once. */
export class ExerciseError extends Error {
  override name = 'ExerciseError';

  constructor(
    readonly file: string,
    readonly problems: Problem[],
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problems.map((p) => `${p.where || '/'}: ${p.message}`).join('; ')}`, options);
  }
}

/** A pack that was rejected before anything was written; the message is one line for the user. */
export class PackError extends Error {
  override name = 'PackError';
}

/** A workspace whose Leak Hunt marker is missing or unreadable. */
export class WorkspaceError extends Error {
  override name = 'WorkspaceError';
}

/** A setup step (e.g. a build) that failed, timed out or could not start; keeps its result. */
export class SetupError extends Error {
  override name = 'SetupError';

  constructor(
    message: string,
    readonly result: CommandResult,
  ) {
    super(message);
  }
}
