import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as Layout from '../../media/webview/treemapLayout';
import { loadPageModule } from './loadModule';

const { squarify } = loadPageModule<typeof Layout>('media/webview/treemapLayout.ts');

const area = (r: Layout.Rect): number => r.width * r.height;
const overlap = (a: Layout.Rect, b: Layout.Rect): number =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

test('squarify fills the rectangle with areas proportional to the values, without overlap', () => {
  const values = [6, 6, 4, 3, 2, 2, 1]; // Bruls et al.'s example
  const bounds = { x: 10, y: 20, width: 600, height: 400 };
  const rects = squarify(values, bounds);
  assert.equal(rects.length, values.length);
  const total = values.reduce((a, b) => a + b, 0);
  values.forEach((value, i) => {
    const r = rects[i];
    assert.ok(Math.abs(area(r) - (value / total) * area(bounds)) < 1e-6, `area of ${i}`);
    assert.ok(r.x >= bounds.x - 1e-9 && r.y >= bounds.y - 1e-9, `${i} inside (top left)`);
    assert.ok(r.x + r.width <= bounds.x + bounds.width + 1e-6, `${i} inside (right)`);
    assert.ok(r.y + r.height <= bounds.y + bounds.height + 1e-6, `${i} inside (bottom)`);
    for (let j = 0; j < i; j++) assert.ok(overlap(r, rects[j]) < 1e-6, `${i} overlaps ${j}`);
  });
  // Squarified: no sliver in this example (aspect ratios stay under 3).
  for (const r of rects) assert.ok(Math.max(r.width / r.height, r.height / r.width) < 3);
});

test('squarify keeps the order given, and empty input or bounds give empty rectangles', () => {
  const rects = squarify([1, 5, 2], { x: 0, y: 0, width: 80, height: 80 });
  assert.ok(area(rects[1]) > area(rects[2]) && area(rects[2]) > area(rects[0]));
  assert.deepEqual(squarify([], { x: 0, y: 0, width: 10, height: 10 }), []);
  assert.deepEqual(squarify([3], { x: 1, y: 2, width: 0, height: 10 }), [
    { x: 1, y: 2, width: 0, height: 0 },
  ]);
});
