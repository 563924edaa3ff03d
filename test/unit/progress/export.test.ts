import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CSV_COLUMNS,
  csvCell,
  exportProgressCsv,
  exportProgressJson,
} from '../../../src/progress/export';
import { newExerciseProgress, type ExerciseProgress } from '../../../src/progress/model';

const start = Date.parse('2026-01-05T09:00:00.000Z');

function sample(): ExerciseProgress {
  const progress = newExerciseProgress('user-sessions', start, {
    set: 'basics',
    title: 'Sessions, "the cache", and you',
  });
  progress.activeSeconds = 754;
  progress.solved = '2026-01-05T09:40:00.000Z';
  progress.hints.push({ index: 0, at: '2026-01-05T09:10:00.000Z' });
  progress.snapshots.push('2026-01-05T09:11:00.000Z', '2026-01-05T09:12:00.000Z');
  progress.testRuns.push(
    { at: '2026-01-05T09:20:00.000Z', passed: 2, failed: 1, skipped: 0 },
    { at: '2026-01-05T09:39:00.000Z', passed: 3, failed: 0, skipped: 1 },
  );
  progress.leakChecks.push({
    at: '2026-01-05T09:40:00.000Z',
    verdict: 'no-leak',
    bytesPerRequest: 2.6,
  });
  return progress;
}

/** A strict RFC 4180 reader, to prove the export reads back cell for cell. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(quoted, false, 'no quote is left open');
  assert.deepEqual([cell, row], ['', []], 'the text ends with CRLF');
  return rows;
}

test('CSV has a header and one row per exercise with the summary columns', () => {
  const rows = readCsv(exportProgressCsv([sample()]));
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  assert.deepEqual(rows[1], [
    'user-sessions',
    'basics',
    'Sessions, "the cache", and you',
    '2026-01-05T09:00:00.000Z',
    '2026-01-05T09:40:00.000Z',
    '12.6',
    '1',
    '2',
    '2',
    '3 passed, 0 failed, 1 skipped',
    '1',
    'no-leak (3 B/request)',
  ]);
  assert.equal(rows.length, 2);
});

test('cells that a spreadsheet would evaluate are defused, and quoting survives', () => {
  const hostile = newExerciseProgress('=HYPERLINK("http://evil.example","x")', start, {
    set: '@SUM(A1)',
    title: '+1,\r\n-2\t"x"',
  });
  const [, row] = readCsv(exportProgressCsv([hostile]));
  assert.equal(row?.[0], `'=HYPERLINK("http://evil.example","x")`);
  assert.equal(row?.[1], `'@SUM(A1)`);
  assert.equal(row?.[2], `'+1,\r\n-2\t"x"`);
  assert.equal(row?.[4], '', 'unsolved is an empty cell');
  assert.equal(csvCell('-5'), `'-5`);
  assert.equal(csvCell('\tcmd'), `'\tcmd`);
  assert.equal(csvCell('plain text'), 'plain text');
  assert.equal(csvCell('a "quote"'), '"a ""quote"""');
});

test('with an identity each row starts with the learner, so class files concatenate', () => {
  const rows = readCsv(exportProgressCsv([sample()], { learner: '=Ada', machineId: 'm-1' }));
  assert.deepEqual(rows[0]?.slice(0, 3), ['learner', 'machine id', 'id']);
  assert.deepEqual(rows[1]?.slice(0, 3), ["'=Ada", 'm-1', 'user-sessions']);
  assert.equal(rows[1]?.length, rows[0]?.length);
});

test('JSON export carries the whole model with who and when', () => {
  const progress = sample();
  const parsed = JSON.parse(
    exportProgressJson([progress], { learner: 'Ada', machineId: 'm-123' }, start + 3_600_000),
  );
  assert.deepEqual(parsed, {
    schemaVersion: 1,
    exportedAt: '2026-01-05T10:00:00.000Z',
    learner: 'Ada',
    machineId: 'm-123',
    exercises: [progress],
  });
});
