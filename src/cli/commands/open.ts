import { resolve } from 'node:path';
import { printable } from '../../common/text';
import { readOrigin } from '../../exercises/consent';
import {
  findExercise,
  openLearnerWorkspace,
  readLearnerWorkspace,
  scenarioPath,
} from '../../learner/workspace';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt open`: a learner's copy of an exercise, to work on without the editor. */
export const openCommand: CliCommand = {
  usage: '<exercise> <dir>',
  options: {},
  examples: [
    'leakhunt open user-sessions ~/leaks/user-sessions',
    'leakhunt open ./imported/cart ./cart',
  ],
  async run({ positionals }, io) {
    if (positionals.length !== 2)
      throw new UsageError(
        'expects an exercise (a built-in id or a folder) and a folder to create',
      );
    const exercise = await findExercise(positionals[0]!, io.cwd);
    const dir = resolve(io.cwd, positionals[1]!);
    await openLearnerWorkspace(exercise, dir);
    const workspace = await readLearnerWorkspace(dir);
    const { manifest } = exercise;
    io.out(
      printable(
        `${manifest.title} (${manifest.difficulty}, about ${manifest.minutes} min) is ready in ${dir}.`,
      ),
    );
    io.out(printable(`Read the task: ${scenarioPath(workspace)}`));
    io.out(`Then: leakhunt hint ${dir}    (one hint at a time)`);
    io.out(`      leakhunt verify ${dir} --watch    (tests and leak check on every save)`);
    const origin = await readOrigin(dir);
    if (origin)
      io.out(
        'It comes from a pack: verify runs its commands only with --allow-commands (it lists them first).',
      );
    return 0;
  },
};
