/**
 * The y range of one live series, in MB: fitted around the data, so growth from 20 to 32 MB fills
 * the chart instead of a strip at its bottom, but never narrower than a fifth of the top value
 * (and 2 MB), so a flat heap's GC sawtooth still looks flat.
 */
export function fittedRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const span = Math.max(max - min, max * 0.2, 2);
  const low = Math.max(0, (min + max) / 2 - span * 0.6);
  return [low, low + span * 1.2];
}
