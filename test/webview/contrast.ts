import type { Locator, Page } from 'playwright-core';

/** A colour with 0–255 channels and 0–1 alpha. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/**
 * Parses what Chromium reports for a colour: computed styles (`rgb()`, `rgba()`, and
 * `color(srgb …)` for `color-mix()` results) and canvas styles (`#rrggbb`).
 */
export function parseColor(value: string): Rgba {
  const text = value.trim();
  const hex = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(text);
  if (hex) {
    const n = parseInt(hex[1], 16);
    const a = hex[2] === undefined ? 1 : parseInt(hex[2], 16) / 255;
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255, a };
  }
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+))?\s*\)$/.exec(
    text,
  );
  if (rgb) {
    const [r, g, b] = [rgb[1], rgb[2], rgb[3]].map(Number);
    return { r, g, b, a: rgb[4] === undefined ? 1 : Number(rgb[4]) };
  }
  const srgb =
    /^color\(srgb\s+([\d.e-]+)\s+([\d.e-]+)\s+([\d.e-]+)(?:\s*\/\s*([\d.]+))?\s*\)$/.exec(text);
  if (srgb) {
    const [r, g, b] = [srgb[1], srgb[2], srgb[3]].map((c) => Number(c) * 255);
    return { r, g, b, a: srgb[4] === undefined ? 1 : Number(srgb[4]) };
  }
  throw new Error(`cannot parse colour ${JSON.stringify(value)}`);
}

/** `top` painted over an opaque `bottom`. */
export function over(top: Rgba, bottom: Rgba): Rgba {
  const mix = (t: number, b: number): number => t * top.a + b * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance({ r, g, b }: Rgba): number {
  const linear = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio of two opaque colours, 1 to 21. */
export function contrastRatio(x: Rgba, y: Rgba): number {
  const [light, dark] = [luminance(x), luminance(y)].sort((a, b) => b - a);
  return (light + 0.05) / (dark + 0.05);
}

/** Background layers from an element outwards, as computed colour strings. */
export type Layers = string[];

/** Paints the layers (innermost first) over the page's white canvas. */
export function flatten(layers: Layers): Rgba {
  let colour: Rgba = { r: 255, g: 255, b: 255, a: 1 };
  for (const layer of [...layers].reverse()) colour = over(parseColor(layer), colour);
  return colour;
}

/** One run of text as the reader sees it. */
export interface TextSample {
  text: string;
  /** Tag and classes of the element holding the text, for messages. */
  where: string;
  color: string;
  /** Product of the opacities of the element and its ancestors. */
  opacity: number;
  background: Layers;
  fontSizePx: number;
  bold: boolean;
}

/** Contrast of a text sample against what is painted behind it. */
export function textContrast(sample: TextSample): number {
  const background = flatten(sample.background);
  const color = parseColor(sample.color);
  return contrastRatio(over({ ...color, a: color.a * sample.opacity }, background), background);
}

/** WCAG AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold). */
export function requiredContrast(sample: TextSample): number {
  return sample.fontSizePx >= 24 || (sample.bold && sample.fontSizePx >= 18.66) ? 3 : 4.5;
}

/**
 * Every visible run of text inside `root`, with its colour and background. Controls marked
 * disabled are left out: WCAG exempts inactive components, and the page dims them on purpose.
 */
export async function visibleText(root: Locator): Promise<TextSample[]> {
  return root.evaluate((rootElement) => {
    const backgroundOf = (element: Element): string[] => {
      const layers: string[] = [];
      for (let node: Element | null = element; node; node = node.parentElement) {
        const background = getComputedStyle(node).backgroundColor;
        if (background !== 'rgba(0, 0, 0, 0)') layers.push(background);
      }
      return layers;
    };
    const samples = [];
    const walker = document.createTreeWalker(rootElement, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const text = node.textContent?.trim() ?? '';
      if (!element || !text || element.closest('select, [aria-disabled=true], :disabled')) continue;
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || style.visibility !== 'visible') continue;
      let opacity = 1;
      for (let up: Element | null = element; up; up = up.parentElement)
        opacity *= Number(getComputedStyle(up).opacity);
      samples.push({
        text,
        where: `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(' ').join('.')}` : ''}`,
        color: style.color,
        opacity,
        background: backgroundOf(element),
        fontSizePx: parseFloat(style.fontSize),
        bold: Number(style.fontWeight) >= 700,
      });
    }
    return samples;
  });
}

/** Text samples below the contrast they need, as readable lines (empty when all pass). */
export function lowContrast(samples: readonly TextSample[]): string[] {
  return samples
    .map((sample) => ({ sample, ratio: textContrast(sample) }))
    .filter(({ sample, ratio }) => ratio < requiredContrast(sample))
    .map(
      ({ sample, ratio }) =>
        `${JSON.stringify(sample.text.slice(0, 40))} in ${sample.where}: ${ratio.toFixed(2)}:1 (${sample.color} on ${sample.background.join(' over ')})`,
    );
}

/**
 * The background colours behind `locator`'s element, innermost first; from its parent when
 * asked (what an outline drawn outside the element is seen against).
 */
export async function backgroundLayers(
  locator: Locator,
  from: 'element' | 'parent' = 'element',
): Promise<Layers> {
  return locator.evaluate((element, fromParent) => {
    const layers: string[] = [];
    const first = fromParent ? element.parentElement : element;
    for (let node: Element | null = first; node; node = node.parentElement) {
      const background = getComputedStyle(node).backgroundColor;
      if (background !== 'rgba(0, 0, 0, 0)') layers.push(background);
    }
    return layers;
  }, from === 'parent');
}

/** A `--vscode-*` variable's value on the page, or undefined when the theme does not set it. */
export async function themeVariable(page: Page, name: string): Promise<string | undefined> {
  const value = await page.evaluate(
    (variable) => getComputedStyle(document.documentElement).getPropertyValue(variable).trim(),
    name,
  );
  return value || undefined;
}
