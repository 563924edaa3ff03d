import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StringTable } from '../../../src/heap/strings';

/** A table holding `raw` as the reader stores it: JSON text between the quotes. */
function tableOf(raw: string, escaped: boolean): StringTable {
  const table = new StringTable();
  const bytes = Buffer.from(raw, 'utf8');
  table.begin();
  table.append(bytes, 0, bytes.length);
  table.finish(escaped);
  return table;
}

test('a prefix of a huge string is cut without decoding the rest', () => {
  const table = tableOf('y'.repeat(5_000_000), false);
  assert.deepEqual(table.prefix(0, 10), { text: 'yyyyyyyyyy', truncated: true });
  assert.deepEqual(table.prefix(0, 5_000_000), { text: 'y'.repeat(5_000_000), truncated: false });
});

test('a prefix never ends inside an escape or a multi-byte character', () => {
  // 40 escaped quotes, then more: the byte budget (12 a character) falls mid-escape.
  const escapes = '\\"'.repeat(40) + '\\u00e9'.repeat(40) + 'tail'.repeat(100);
  const cut = tableOf(escapes, true).prefix(0, 60);
  assert.equal(cut.truncated, true);
  assert.equal(cut.text, '"'.repeat(40) + 'é'.repeat(20));
  const wide = tableOf('😀'.repeat(1000), false).prefix(0, 7);
  assert.equal(wide.truncated, true);
  // 7 UTF-16 units of surrogate pairs: three whole emoji and half of the fourth, as slice cuts.
  assert.equal(wide.text, '😀'.repeat(4).slice(0, 7));
  assert.ok(!wide.text.includes('\ufffd'));
});

test('short strings come back whole, and an index outside the table is empty', () => {
  const table = tableOf('tab\\tbell\\u0007', true);
  assert.deepEqual(table.prefix(0, 200), { text: 'tab\tbell\u0007', truncated: false });
  assert.deepEqual(table.prefix(5, 200), { text: '', truncated: false });
});
