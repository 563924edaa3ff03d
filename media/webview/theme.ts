/**
 * Chart colours of the current VS Code theme. main.css maps the `--vscode-*` variables to
 * `--chart-*` ones (with the high-contrast exceptions); a canvas cannot resolve `var()`, so they
 * are read here as resolved values.
 */
export interface ChartColors {
  usedHeap: string;
  rss: string;
  /** ArrayBuffer memory (Buffers), outside the V8 heap. */
  buffers: string;
  /** Snapshot marker lines. */
  marker: string;
  /** Axis values and marker labels: text, so it must read on the card. */
  text: string;
  grid: string;
  font: string;
}

/** Reads chart colours now; call again when the theme changes. */
export function readChartColors(): ChartColors {
  const style = getComputedStyle(document.body);
  // What the page's own text uses: a theme without the variable still gets a theme colour.
  const text = read(style, '--chart-text') ?? style.color;
  return {
    usedHeap: read(style, '--chart-used-heap') ?? text,
    rss: read(style, '--chart-rss') ?? text,
    buffers: read(style, '--chart-buffers') ?? text,
    marker: read(style, '--chart-marker') ?? text,
    text,
    grid: read(style, '--chart-grid') ?? text,
    font: `11px ${read(style, '--vscode-font-family') ?? 'sans-serif'}`,
  };
}

/** Two readings are the same theme as far as the charts go. */
export function sameChartColors(a: ChartColors, b: ChartColors): boolean {
  return (Object.keys(a) as (keyof ChartColors)[]).every((key) => a[key] === b[key]);
}

function read(style: CSSStyleDeclaration, name: string): string | undefined {
  return style.getPropertyValue(name).trim() || undefined;
}
