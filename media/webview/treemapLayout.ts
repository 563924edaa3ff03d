/** A rectangle in the treemap's coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The worst (largest) aspect ratio of a row of areas laid along a side of length `side`. */
function worstRatio(areas: readonly number[], side: number): number {
  const sum = areas.reduce((total, area) => total + area, 0);
  const max = Math.max(...areas);
  const min = Math.min(...areas);
  return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
}

/**
 * Squarified treemap layout (Bruls, Huizing and van Wijk, 2000): splits `rect` into one
 * rectangle per value, each with an area proportional to its value and as square as the
 * greedy row filling allows. Values must be positive; the result is in the order given, and
 * values are laid out largest first (sort them so for the best squares).
 */
export function squarify(values: readonly number[], rect: Rect): Rect[] {
  const total = values.reduce((sum, value) => sum + value, 0);
  const result: Rect[] = new Array<Rect>(values.length);
  if (total <= 0 || rect.width <= 0 || rect.height <= 0) {
    values.forEach((_, index) => (result[index] = { x: rect.x, y: rect.y, width: 0, height: 0 }));
    return result;
  }
  const scale = (rect.width * rect.height) / total;
  const order = values.map((_, index) => index).sort((a, b) => values[b] - values[a]);
  const free = { ...rect };
  let row: number[] = [];

  const place = (indices: readonly number[]): void => {
    const areas = indices.map((index) => values[index] * scale);
    const sum = areas.reduce((a, b) => a + b, 0);
    if (free.width >= free.height) {
      // A column on the left, items stacked top to bottom.
      const width = free.height > 0 ? sum / free.height : 0;
      let y = free.y;
      indices.forEach((index, i) => {
        const height = width > 0 ? areas[i] / width : 0;
        result[index] = { x: free.x, y, width, height };
        y += height;
      });
      free.x += width;
      free.width = Math.max(0, free.width - width);
    } else {
      // A row at the top, items side by side.
      const height = free.width > 0 ? sum / free.width : 0;
      let x = free.x;
      indices.forEach((index, i) => {
        const width = height > 0 ? areas[i] / height : 0;
        result[index] = { x, y: free.y, width, height };
        x += width;
      });
      free.y += height;
      free.height = Math.max(0, free.height - height);
    }
  };

  for (const index of order) {
    const side = Math.min(free.width, free.height);
    const areas = row.map((i) => values[i] * scale);
    const withIt = [...areas, values[index] * scale];
    if (row.length === 0 || worstRatio(withIt, side) <= worstRatio(areas, side)) {
      row.push(index);
    } else {
      place(row);
      row = [index];
    }
  }
  if (row.length > 0) place(row);
  return result;
}
