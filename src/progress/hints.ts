import { iso, type ExerciseProgress } from './model';

/** Whether a hint may be revealed now, and if not, why (shown to the learner as is). */
export type HintDecision =
  { allowed: true; index: number } | { allowed: false; reason: string; next?: number };

/**
 * Hints are revealed in order, one at a time: the only hint that may be revealed is the first
 * one not yet revealed. Asking for another index (skipping ahead, or one already shown) is
 * refused, so the record of which hints a learner needed stays honest.
 */
export function decideHint(
  progress: ExerciseProgress | undefined,
  index: number,
  hintCount: number,
): HintDecision {
  const next = progress?.hints.length ?? 0;
  if (hintCount === 0) return { allowed: false, reason: 'This exercise has no hints.' };
  if (next >= hintCount) return { allowed: false, reason: 'All hints are already revealed.' };
  if (index < next)
    return { allowed: false, reason: `Hint ${index + 1} is already revealed.`, next };
  if (index !== next)
    return { allowed: false, reason: `Reveal hint ${next + 1} before hint ${index + 1}.`, next };
  return { allowed: true, index };
}

/** Records the reveal if `decideHint` allows it; returns the decision either way. */
export function revealHint(
  progress: ExerciseProgress,
  index: number,
  hintCount: number,
  now: number,
): HintDecision {
  const decision = decideHint(progress, index, hintCount);
  if (decision.allowed) progress.hints.push({ index, at: iso(now) });
  return decision;
}
