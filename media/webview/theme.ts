/** Colours of the current VS Code theme, read from the `--vscode-*` variables it sets on the page. */
export interface ChartColors {
  usedHeap: string;
  rss: string;
  marker: string;
  axis: string;
  grid: string;
  text: string;
  font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

/** Reads chart colours now; call again when the theme changes (body class changes). */
export function readChartColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const family = cssVar(style, '--vscode-font-family', 'sans-serif');
  return {
    usedHeap: cssVar(style, '--vscode-charts-blue', '#3794ff'),
    rss: cssVar(style, '--vscode-charts-purple', '#b180d7'),
    marker: cssVar(style, '--vscode-charts-yellow', '#cca700'),
    axis: cssVar(style, '--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVar(style, '--vscode-editorWidget-border', '#454545'),
    text: cssVar(style, '--vscode-foreground', '#cccccc'),
    font: `11px ${family}`,
  };
}
