// Fault injection against the built CLI: malformed snapshots, hostile packs, broken manifests,
// misbehaving programs and kills, each with a time limit, classified as clear error / ok / hang /
// crash, with orphans, lost data, raw terminal bytes and leftovers counted on the side.
//   npm run faults                     (builds, then this script)
//   node bench/faults/run.mjs [--group snapshots|packs|manifests|programs|kills]...
//                             [--jobs N] [--json <file>] [--dist <dir>] [--keep]
// Exit 0 when no case hung, crashed, orphaned a process, lost data, put raw control bytes on the
// terminal or left files behind; 1 otherwise; 2 when the script itself fails.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCase } from './harness.mjs';
import { killCases } from './cases/kills.mjs';
import { manifestCases } from './cases/manifests.mjs';
import { packCases } from './cases/packs.mjs';
import { programCases } from './cases/programs.mjs';
import { snapshotCases } from './cases/snapshots.mjs';

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const GROUPS = {
  snapshots: snapshotCases,
  packs: packCases,
  manifests: manifestCases,
  programs: programCases,
  kills: killCases,
};

const { values } = parseArgs({
  options: {
    group: { type: 'string', multiple: true },
    jobs: { type: 'string', default: '2' },
    json: { type: 'string' },
    dist: { type: 'string' },
    keep: { type: 'boolean' },
  },
});
const groups = values.group ?? Object.keys(GROUPS);
for (const group of groups)
  if (!GROUPS[group]) {
    console.error(`faults: unknown group '${group}' (${Object.keys(GROUPS).join(', ')})`);
    process.exit(2);
  }
const jobs = Math.max(1, Number(values.jobs));

// The CLI runs from a private copy of the build: a concurrent `node esbuild.mjs` wipes dist/.
// The copy sits in a folder with Leak Hunt's package.json and schemas, which the CLI looks up.
const work = mkdtempSync(join(tmpdir(), 'leakhunt-faults-'));
const root = join(work, 'leakhunt');
const dist = resolve(values.dist ?? join(repoDir, 'dist'));
if (!existsSync(join(dist, 'cli.js'))) {
  console.error(`faults: ${join(dist, 'cli.js')} is missing; run npm run build first`);
  process.exit(2);
}
for (const part of ['package.json', 'schemas', 'exercises'])
  cpSync(join(repoDir, part), join(root, part), {
    recursive: true,
    filter: (source) => !source.includes('node_modules'),
  });
cpSync(dist, join(root, 'dist'), { recursive: true });
const cli = join(root, 'dist', 'cli.js');
const runId = `${process.pid}-${Date.now()}`;

const started = performance.now();
const cases = [];
for (const group of groups) {
  const made = GROUPS[group]({ work, repoDir, cli });
  cases.push(...made.map((c) => ({ ...c, group })));
  console.error(`faults: ${made.length} ${group} cases`);
}

/** A case's detail quotes the CLI's output: shown with control characters as `?`. */
const inert = (text) =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');

const results = new Array(cases.length);
let next = 0;
let done = 0;
async function worker() {
  while (next < cases.length) {
    const index = next++;
    const testCase = cases[index];
    results[index] = await runCase(testCase, { cli, runId, index });
    done++;
    const r = results[index];
    const flags = [
      r.orphans && `${r.orphans} orphan(s)`,
      r.lost && 'data lost',
      r.rawBytes && 'raw bytes',
      r.leftovers && 'leftovers',
    ].filter(Boolean);
    const bad = r.outcome === 'hang' || r.outcome === 'crash' || flags.length;
    if (bad || process.env.FAULTS_VERBOSE)
      console.error(
        `  [${done}/${cases.length}] ${r.group}: ${r.name}: ${r.outcome}${flags.length ? ` (${flags.join(', ')})` : ''}` +
          `${r.hardA ? ' [hardA]' : ''}${r.detail ? `\n      ${inert(r.detail)}` : ''}`,
      );
  }
}
await Promise.all(Array.from({ length: jobs }, worker));

const columns = [
  'tried',
  'clear error',
  'ok',
  'hang',
  'crash',
  'orphan',
  'data lost',
  'raw bytes',
  'leftover',
];
const count = (rows) => [
  rows.length,
  rows.filter((r) => r.outcome === 'clear').length,
  rows.filter((r) => r.outcome === 'ok').length,
  rows.filter((r) => r.outcome === 'hang').length,
  rows.filter((r) => r.outcome === 'crash').length,
  rows.filter((r) => r.orphans > 0).length,
  rows.filter((r) => r.lost).length,
  rows.filter((r) => r.rawBytes).length,
  rows.filter((r) => r.leftovers).length,
];
const table = [['group', ...columns]];
for (const group of groups) table.push([group, ...count(results.filter((r) => r.group === group))]);
const total = count(results);
table.push(['total', ...total]);
const widths = table[0].map((_, c) => Math.max(...table.map((row) => String(row[c]).length)));
console.log(
  table
    .map((row) =>
      row
        .map((cell, c) =>
          c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]),
        )
        .join('  '),
    )
    .join('\n'),
);
const failed = results.filter(
  (r) =>
    r.outcome === 'hang' ||
    r.outcome === 'crash' ||
    r.orphans ||
    r.lost ||
    r.rawBytes ||
    r.leftovers,
);
const waiting = failed.filter((r) => r.hardA);
console.log(
  `\n${failed.length} failing case(s)${waiting.length ? `, ${waiting.length} of them waiting on hardA's fixes (timeouts, watchdog, leftovers)` : ''}; ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s on ${jobs} job(s)`,
);
if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ columns, table, results }, null, 2)}\n`);
if (!values.keep) rmSync(work, { recursive: true, force: true });
else console.error(`faults: kept ${work}`);
process.exit(failed.length ? 1 : 0);
