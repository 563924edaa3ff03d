import type { HintLadder } from '../exercises/leaks';
import { iso, type ExerciseProgress } from './model';

/** Whether a hint may be revealed now, and if not, why (shown to the learner as is). */
export type HintDecision =
  { allowed: true; index: number } | { allowed: false; reason: string; next?: number };

/** Which ladder a hint belongs to: a leak's (1-based number) or, without one, the general hints. */
export interface LadderRef {
  leak?: number;
  /** Rungs on the ladder. */
  size: number;
}

/** How many hints of a ladder are revealed (a record without `leak` is a general hint). */
export function revealedOn(progress: ExerciseProgress | undefined, leak?: number): number {
  return progress?.hints.filter((h) => h.leak === leak).length ?? 0;
}

/** The first ladder with a hint left to reveal, and that hint's index; undefined when all are. */
export function nextHint(
  ladders: readonly HintLadder[],
  progress: ExerciseProgress | undefined,
): { ladder: HintLadder; index: number } | undefined {
  for (const ladder of ladders) {
    const index = revealedOn(progress, ladder.leak);
    if (index < ladder.rungs.length) return { ladder, index };
  }
  return undefined;
}

/**
 * Hints are revealed in order on each ladder, one at a time: the only hint of a ladder that may
 * be revealed is its first one not yet revealed. Asking for another index (skipping ahead, or
 * one already shown) is refused, so the record of which hints a learner needed stays honest.
 * Ladders are independent: a learner may climb leak 2's before finishing leak 1's.
 */
export function decideHint(
  progress: ExerciseProgress | undefined,
  index: number,
  ladder: LadderRef,
): HintDecision {
  const next = revealedOn(progress, ladder.leak);
  const of = ladder.leak === undefined ? '' : ` for leak ${ladder.leak}`;
  if (ladder.size === 0) return { allowed: false, reason: `This exercise has no hints${of}.` };
  if (next >= ladder.size)
    return { allowed: false, reason: `All hints${of} are already revealed.` };
  if (index < next)
    return { allowed: false, reason: `Hint ${index + 1}${of} is already revealed.`, next };
  if (index !== next)
    return {
      allowed: false,
      reason: `Reveal hint ${next + 1}${of} before hint ${index + 1}.`,
      next,
    };
  return { allowed: true, index };
}

/** Records the reveal if `decideHint` allows it; returns the decision either way. */
export function revealHint(
  progress: ExerciseProgress,
  index: number,
  ladder: LadderRef,
  now: number,
): HintDecision {
  const decision = decideHint(progress, index, ladder);
  if (decision.allowed)
    progress.hints.push({
      index,
      ...(ladder.leak === undefined ? {} : { leak: ladder.leak }),
      at: iso(now),
    });
  return decision;
}
