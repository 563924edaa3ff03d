import { diffSnapshots } from '../heap';
import type { SnapshotDiff } from './types';

/** The heap engine's three-snapshot diff in this thread: the CLI's and the tests'. */
export const inProcessDiff: SnapshotDiff = (files, { scripts, ...options }) =>
  diffSnapshots(files, { ...options, resolveScript: (id) => scripts[id] });
