import { resolve } from 'node:path';
import { printableLines } from '../../common/text';
import { isSolved, readDebrief } from '../../learner/debrief';
import { readLearnerWorkspace } from '../../learner/workspace';
import { UsageError, type CliCommand } from '../command';

/**
 * `leakhunt debrief`: what leaked, why and how else it could be fixed, shown only once the
 * exercise is solved (it gives every answer away). Exit 1 while it is not.
 */
export const debriefCommand: CliCommand = {
  usage: '<dir>',
  options: {},
  examples: ['leakhunt debrief ~/leaks/user-sessions'],
  async run({ positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expects the exercise folder');
    const dir = resolve(io.cwd, positionals[0]!);
    const workspace = await readLearnerWorkspace(dir);
    if (workspace.exercise.manifest.debrief === undefined) {
      io.out('This exercise has no debrief.');
      return 0;
    }
    if (!(await isSolved(workspace))) {
      io.out(
        'The debrief opens once the exercise is solved: run leakhunt verify on this folder ' +
          'until the tests pass and the leak check says no leak.',
      );
      return 1;
    }
    io.out(printableLines((await readDebrief(workspace)) ?? ''));
    return 0;
  },
};
