import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { buildClassReport } from '../../../src/classroom/classReport';
import { readProgressExports } from '../../../src/classroom/progressExports';
import { CLASS_CSV_COLUMNS, classReportCsv } from '../../../src/classroom/reportCsv';
import { classReportHtml } from '../../../src/classroom/reportHtml';
import { runCli } from '../../../src/cli/main';
import { packageRoot } from '../../../src/common/packageRoot';
import { exportProgressJson } from '../../../src/progress/export';
import {
  findProblems,
  newExerciseProgress,
  type ExerciseProgress,
} from '../../../src/progress/model';
import { captureIo } from '../../support/cliIo';

interface GeneratedExport {
  name: string;
  document: { learner: string; schemaVersion: number; exercises: ExerciseProgress[] };
}

async function generator(): Promise<{
  writeExports(dir: string, learners: number, seed: number): string[];
  generateExports(learners: number, seed: number): GeneratedExport[];
}> {
  const script = join(packageRoot(), 'test/fixtures/classroom/generate-progress-exports.mjs');
  return (await import(pathToFileURL(script).href)) as Awaited<ReturnType<typeof generator>>;
}

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-report-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function progress(id: string, about: { title?: string; solved?: boolean; minutes?: number } = {}) {
  const p = newExerciseProgress(id, Date.parse('2026-03-02T09:00:00.000Z'), {
    set: 'exercises',
    title: about.title ?? id,
  });
  p.activeSeconds = (about.minutes ?? 10) * 60;
  if (about.solved) p.solved = '2026-03-02T10:00:00.000Z';
  return p;
}

async function writeExport(
  dir: string,
  name: string,
  learner: string,
  exercises: ExerciseProgress[],
) {
  const file = join(dir, name);
  const json = exportProgressJson(
    exercises,
    { learner, machineId: 'm' },
    Date.parse('2026-03-20T00:00:00Z'),
  );
  await writeFile(file, json);
  return file;
}

test('the generated class exports are valid exports, and the report reads every one', async (t) => {
  const { generateExports } = await generator();
  const exports = generateExports(24, 14);
  assert.ok(exports.length >= 24);
  for (const { name, document } of exports) {
    const byId = Object.fromEntries(document.exercises.map((e) => [e.exerciseId, e]));
    assert.deepEqual(
      findProblems({ schemaVersion: document.schemaVersion, exercises: byId }),
      [],
      name,
    );
  }
  const { writeExports } = await generator();
  const dir = await scratch(t);
  writeExports(join(dir, 'exports'), 24, 14);
  const io = captureIo({ cwd: dir });
  assert.equal(
    await runCli(['report', 'exports', '-o', 'class.html'], io),
    0,
    io.stderr.join('\n'),
  );
  assert.deepEqual(io.stderr, []);
  assert.match(io.stdout.join('\n'), /24 learners from \d+ files, 5 exercises/);
  const html = await readFile(join(dir, 'class.html'), 'utf8');
  const learners = new Set(exports.map((e) => e.document.learner));
  for (const learner of learners) assert.ok(html.includes(`<tr><td>${learner}</td>`), learner);
  // One bar label per exercise in the chart, each in the set's order.
  const labels = [...html.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(labels, [
    'User sessions',
    'Dispatch',
    'Cart',
    'Assessment processor',
    'Task API',
  ]);
});

test('the page is self-contained: no script, no address to fetch, and its CSP admits only its own style', async (t) => {
  const dir = await scratch(t);
  await writeExport(dir, 'ada.json', 'Ada', [progress('cart', { solved: true })]);
  const { learners } = await readProgressExports([dir], dir);
  const html = classReportHtml(buildClassReport(learners, Date.now()));
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|src=|href=|url\(|https?:/i);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp);
  assert.match(csp, /default-src 'none'/);
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
  const hash = createHash('sha256').update(style).digest('base64');
  assert.ok(
    csp.includes(`style-src 'sha256-${hash}'`),
    'the style block is the one the CSP allows',
  );
  assert.doesNotMatch(html, / style="/, 'style attributes would be blocked by the CSP');
});

test("learners' names, titles and ids reach the page only as text", async (t) => {
  const dir = await scratch(t);
  const hostileLearner = '<img src=x onerror=alert(1)>';
  const hostileTitle = '</style><script>alert(1)</script>';
  const hostileId = '"><svg onload=alert(1)>';
  await writeExport(dir, 'evil.json', hostileLearner, [
    progress(hostileId, { title: hostileTitle, solved: true }),
  ]);
  const { learners, warnings } = await readProgressExports([dir], dir);
  assert.deepEqual(warnings, []);
  const html = classReportHtml(buildClassReport(learners, Date.now()), ['x.json: <b>bad</b>']);
  assert.doesNotMatch(html, /<img|<script|<svg onload|<b>bad/);
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('&quot;&gt;&lt;svg onload=alert(1)&gt;'));
});

test('the CSV quotes cells and defuses formulas that learners could plant', async (t) => {
  const dir = await scratch(t);
  await writeExport(dir, 'a.json', '=HYPERLINK("http://x","click")', [
    progress('cart', { title: '+1, "quoted"\nline', solved: true, minutes: 25 }),
  ]);
  await writeExport(dir, 'b.json', '@SUM(A1)', [progress('cart', { minutes: 5 })]);
  const { learners } = await readProgressExports([dir], dir);
  const csv = classReportCsv(buildClassReport(learners, Date.now()));
  const lines = csv.split('\r\n');
  assert.equal(lines[0], CLASS_CSV_COLUMNS.join(','));
  const planted = lines.find((line) => line.includes('HYPERLINK'))!;
  assert.ok(
    planted.startsWith(`"'=HYPERLINK(""http://x"",""click"")",cart,"'+1, ""quoted"" line",`),
    planted,
  );
  assert.match(planted, /,solved,.*,25,/);
  assert.ok(lines.some((line) => line.startsWith("'@SUM(A1),cart,")));
  assert.equal(lines.at(-1), '', 'every row ends with CRLF');
});

test('damaged and foreign files are reported or skipped, never half-read', async (t) => {
  const dir = await scratch(t);
  const folder = join(dir, 'class');
  await mkdir(join(folder, 'node_modules'), { recursive: true });
  await writeExport(folder, 'good.json', 'Grace', [progress('cart')]);
  await writeFile(join(folder, 'broken.json'), '{"schemaVersion": 1, "exercises": [');
  const damaged = JSON.parse(
    exportProgressJson([progress('cart')], { learner: 'Alan', machineId: 'm' }, 0),
  );
  damaged.exercises[0].testRuns = [{ at: 'x', passed: 'many' }];
  await writeFile(join(folder, 'damaged.json'), JSON.stringify(damaged));
  await writeFile(join(folder, 'package.json'), '{"name": "not progress"}');
  await writeExport(join(folder, 'node_modules'), 'hidden.json', 'Hidden', [progress('cart')]);
  await writeFile(join(folder, 'huge.json'), Buffer.alloc(8 * 1024 * 1024 + 1, 32));
  const named = join(dir, 'set.json');
  await writeFile(named, '{"name": "a set"}');

  const { learners, warnings, skipped } = await readProgressExports(['class', 'set.json'], dir);
  assert.deepEqual(
    learners.map((l) => l.learner),
    ['Grace'],
  );
  assert.equal(skipped, 1, 'package.json is not progress and is only counted');
  assert.equal(warnings.length, 4, warnings.join('\n'));
  assert.match(warnings.join('\n'), /broken\.json: not valid JSON/);
  assert.match(warnings.join('\n'), /damaged\.json: .*testRuns/);
  assert.match(warnings.join('\n'), /huge\.json: larger than 8 MB/);
  assert.match(warnings.join('\n'), /set\.json: not a Leak Hunt progress export/);

  const io = captureIo({ cwd: dir });
  assert.equal(await runCli(['report', 'set.json', '-o', 'out.html'], io), 2);
  assert.match(io.stderr.join('\n'), /found no learner progress/);
});

test("a clone's .leakhunt/progress.json counts for the learner whose folder holds it", async (t) => {
  const dir = await scratch(t);
  const store = join(dir, 'clones', 'ada-cart', '.leakhunt');
  await mkdir(store, { recursive: true });
  await writeFile(
    join(store, 'progress.json'),
    JSON.stringify({ schemaVersion: 1, exercises: { cart: progress('cart', { solved: true }) } }),
  );
  const { learners } = await readProgressExports(['clones'], dir);
  assert.deepEqual(
    learners.map((l) => [l.learner, l.exercises.length]),
    [['ada-cart', 1]],
  );
});

test('one learner in several files keeps, per exercise, the record furthest along', async (t) => {
  const dir = await scratch(t);
  await writeExport(dir, 'desktop.json', 'Ada', [
    progress('cart', { solved: true, minutes: 20 }),
    progress('dispatch', { minutes: 4 }),
  ]);
  await writeExport(dir, 'laptop.json', 'Ada', [
    progress('cart', { minutes: 50 }),
    progress('dispatch', { minutes: 9 }),
  ]);
  await writeExport(dir, 'grace.json', 'Grace', [progress('cart', { minutes: 30 })]);
  const { learners } = await readProgressExports([dir], dir);
  const report = buildClassReport(learners, Date.now());
  const ada = report.learners.find((l) => l.learner === 'Ada')!;
  assert.equal(ada.cells.cart!.status, 'solved');
  assert.equal(ada.cells.cart!.activeMinutes, 20);
  assert.equal(ada.cells.dispatch!.activeMinutes, 9);
  assert.deepEqual(report.merged, ['Ada']);
  const cart = report.exercises.find((e) => e.id === 'cart')!;
  assert.deepEqual(
    [cart.started, cart.solved, cart.notStarted, cart.medianMinutesToSolve],
    [2, 1, 0, 20],
  );
  const dispatch = report.exercises.find((e) => e.id === 'dispatch')!;
  assert.equal(dispatch.notStarted, 1);
});
