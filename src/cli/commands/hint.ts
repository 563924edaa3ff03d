import { resolve } from 'node:path';
import { printableLines } from '../../common/text';
import { hintLadders, type HintLadder } from '../../exercises/leaks';
import { nextHint, revealedOn } from '../../progress/hints';
import type { ExerciseProgress } from '../../progress/model';
import { aboutExercise, learnerProgress, readLearnerWorkspace } from '../../learner/workspace';
import { UsageError, type CliCommand } from '../command';

/** "leak 2: 1 of 3 hints" for every ladder but `shown`, so the learner sees what is left. */
function otherLadders(
  ladders: readonly HintLadder[],
  shown: HintLadder | undefined,
  progress: ExerciseProgress | undefined,
): string[] {
  return ladders
    .filter((ladder) => ladder !== shown)
    .map(
      (ladder) =>
        `${ladder.name}: ${revealedOn(progress, ladder.leak)} of ${ladder.rungs.length} hints`,
    );
}

/**
 * `leakhunt hint`: reveals the next hint and records it, as the editor's Hints view does. Each
 * leak has its own ladder (nudge, where to look, how to fix); `--leak N` climbs leak N's,
 * otherwise the first ladder not yet climbed to the top (the general hints come first).
 */
export const hintCommand: CliCommand = {
  usage: '<dir>',
  options: {
    leak: {
      type: 'string',
      valueName: '<N>',
      description: "Reveal the next hint on leak N's ladder (1 for the first leak)",
    },
  },
  examples: ['leakhunt hint ~/leaks/user-sessions', 'leakhunt hint ~/leaks/task-api --leak 2'],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects the exercise folder');
    const workspace = await readLearnerWorkspace(resolve(io.cwd, positionals[0]!));
    const { manifest } = workspace.exercise;
    const ladders = hintLadders(manifest);
    let chosen: HintLadder | undefined;
    if (typeof values.leak === 'string') {
      const leaks = ladders.filter((l) => l.leak !== undefined);
      const number = /^[1-9][0-9]*$/.test(values.leak) ? Number(values.leak) : NaN;
      chosen = leaks.find((l) => l.leak === number);
      if (!chosen)
        throw new UsageError(
          leaks.length
            ? `--leak expects a number from 1 to ${leaks.length}`
            : 'this exercise has no per-leak hints; run without --leak',
        );
    }
    const store = learnerProgress(workspace);
    try {
      const progress = await store.start(manifest.id, aboutExercise(workspace));
      const next = chosen
        ? { ladder: chosen, index: revealedOn(progress, chosen.leak) }
        : nextHint(ladders, progress);
      if (!next) {
        io.out(ladders.length ? 'All hints are already revealed.' : 'This exercise has no hints.');
        return 0;
      }
      const { ladder, index } = next;
      const decision = await store.revealHint(manifest.id, index, {
        ...(ladder.leak === undefined ? {} : { leak: ladder.leak }),
        size: ladder.rungs.length,
      });
      if (!decision.allowed) {
        io.out(decision.reason);
        return 0;
      }
      const rung = ladder.rungs[index]!;
      io.out(
        ladder.leak === undefined
          ? `Hint ${index + 1} of ${ladder.rungs.length}:`
          : `Leak ${ladder.leak} of ${ladders.filter((l) => l.leak !== undefined).length}, ${rung.label} (hint ${index + 1} of ${ladder.rungs.length}):`,
      );
      io.out(printableLines(rung.text));
      const after = store.get(manifest.id);
      const others = otherLadders(ladders, ladder, after);
      if (others.length) io.out(`\n${others.join('\n')}`);
      return 0;
    } finally {
      store.dispose();
    }
  },
};
