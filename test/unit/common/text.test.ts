import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeText } from '../../../src/common/text';

test('routeText shows a run of one label once with its count, and keeps single steps as they are', () => {
  const route = ['(global)', 'process', 'timers', ...Array<string>(300).fill('_idleNext'), 'data'];
  assert.equal(routeText(route), '(global) → process → timers → _idleNext ×300 → data');
  assert.equal(routeText(['a', 'b', 'a']), 'a → b → a');
  assert.equal(routeText([]), '');
});

test('routeText escapes control and bidi characters in heap labels', () => {
  assert.equal(routeText(['\x1b[2J', '\u202ekey', '\u202ekey']), '\\x1b[2J → \\u202ekey ×2');
});
