import { resolve } from 'node:path';
import { printable } from '../../common/text';
import { aboutExercise, learnerProgress, readLearnerWorkspace } from '../../learner/workspace';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt hint`: reveals the next hint and records it, as the editor's Hints view does. */
export const hintCommand: CliCommand = {
  usage: '<dir>',
  options: {},
  examples: ['leakhunt hint ~/leaks/user-sessions'],
  async run({ positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('expects the exercise folder');
    const workspace = await readLearnerWorkspace(resolve(io.cwd, positionals[0]!));
    const { manifest } = workspace.exercise;
    const store = learnerProgress(workspace);
    try {
      const progress = await store.start(manifest.id, aboutExercise(workspace));
      const next = progress.hints.length;
      const decision = await store.revealHint(manifest.id, next, manifest.hints.length);
      if (!decision.allowed) {
        io.out(decision.reason);
        return 0;
      }
      io.out(`Hint ${next + 1} of ${manifest.hints.length}:`);
      io.out(printable(manifest.hints[next]!));
      return 0;
    } finally {
      store.dispose();
    }
  },
};
