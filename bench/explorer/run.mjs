// Heap Explorer benchmark: the queries the explorer's views make, through the heap worker's RPC
// exactly as the extension sends them, on the 140 MiB snapshot (and with --huge the ~1.6 GiB
// one). Target: under 100 ms per expand on the huge one.
//   node esbuild.mjs && node bench/explorer/run.mjs [--huge] [--repeat 5]
// Each query runs once cold (its first answer may build an index: members by class, the
// dominator tree's children) and then `--repeat` times on different rows where the view would
// (the next instances, other objects' properties and retainers): median and p95 of those.
// Writes bench/results/explorer-<date>.json and prints a Markdown table for docs/benchmarks.md.
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HUGE_SIZE, snapshotPath } from '../generate.mjs';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const repoDir = dirname(benchDir);
const argv = process.argv.slice(2);
const repeatAt = argv.indexOf('--repeat');
const REPEAT = repeatAt >= 0 ? Number(argv[repeatAt + 1]) : 5;
const PAGE = 200;
const MiB = 1024 * 1024;

const files = [snapshotPath(140)];
if (argv.includes('--huge')) files.push(snapshotPath(HUGE_SIZE));
for (const file of files)
  if (!existsSync(file))
    throw new Error(
      `${file} is missing: run node bench/generate.mjs${argv.includes('--huge') ? ' --huge' : ''}`,
    );

// The worker runs from a private copy of the build: a concurrent `node esbuild.mjs` wipes dist/.
const privateDist = join(tmpdir(), `leakhunt-explorer-bench-${process.pid}`);
mkdirSync(privateDist, { recursive: true });
for (const name of ['heapWorker.js', 'dominatorWorker.js'])
  copyFileSync(join(repoDir, 'dist', name), join(privateDist, name));

/** The heap worker behind its request/response protocol (src/heap/protocol.ts). */
function startWorker() {
  const worker = new Worker(join(privateDist, 'heapWorker.js'));
  let nextId = 1;
  const call = (method, params) => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (message) => {
        if (message.id !== id || 'progress' in message) return;
        worker.off('message', onMessage);
        if ('err' in message) reject(new Error(`${message.err.name}: ${message.err.message}`));
        else resolve(message.ok);
      };
      worker.on('message', onMessage);
      worker.postMessage({ id, method, params });
    });
  };
  return { call, stop: () => worker.terminate() };
}

/** Wall time, and CPU time of the whole process (the worker included), which load inflates less. */
async function timed(run) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, result };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Cold time, then `REPEAT` runs of `run(i)`: median and p95 of those (wall and CPU). */
async function measure(name, run) {
  const cold = await timed(() => run(0));
  const wall = [];
  const cpu = [];
  for (let i = 1; i <= REPEAT; i++) {
    const { ms, cpuMs } = await timed(() => run(i));
    wall.push(ms);
    cpu.push(cpuMs);
  }
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const row = {
    name,
    coldMs: round(cold.ms),
    coldCpuMs: round(cold.cpuMs),
    medianMs: round(percentile(wall, 50)),
    p95Ms: round(percentile(wall, 95)),
    medianCpuMs: round(percentile(cpu, 50)),
    p95CpuMs: round(percentile(cpu, 95)),
  };
  console.error(
    `  ${name}: cold ${row.coldMs} ms (cpu ${row.coldCpuMs}), median ${row.medianMs} ms (cpu ${row.medianCpuMs}), p95 ${row.p95Ms} ms (cpu ${row.p95CpuMs})`,
  );
  return { row, result: cold.result };
}

const round = (ms) => Math.round(ms * 10) / 10;

async function benchFile(file) {
  const { call, stop } = startWorker();
  const sizeMiB = statSync(file).size / MiB;
  console.error(`${file} (${sizeMiB.toFixed(0)} MiB)`);
  try {
    const opened = await timed(() => call('open', { file }));
    const info = opened.result;
    console.error(`  open: ${(opened.ms / 1000).toFixed(1)} s, ${info.nodeCount} nodes`);
    const { handle } = info;
    const rows = [];
    const query = (start) => ({
      sort: { column: 'retainedSize', descending: true },
      filter: '',
      start,
      count: PAGE,
    });
    const classes = await measure('first class page', (i) =>
      call('classesPage', { handle, query: query(i === 0 ? 0 : PAGE * (i - 1)) }),
    );
    rows.push(classes.row);
    // The class with the most retained memory made of many objects: what a learner expands.
    const largest = classes.result.rows.find((c) => c.count >= 1000) ?? classes.result.rows[0];
    const instances = await measure(`expand the largest class (${largest.count} objects)`, (i) =>
      call('instancesPage', { handle, className: largest.name, start: i * PAGE, count: PAGE }),
    );
    rows.push(instances.row);
    const objects = instances.result.rows.map((r) => r.node);
    rows.push(
      (
        await measure('properties of an instance', (i) =>
          call('childrenPage', { handle, node: objects[i], start: 0, count: PAGE }),
        )
      ).row,
    );
    rows.push(
      (
        await measure('retainers of an instance', (i) =>
          call('retainersPage', { handle, node: objects[i], start: 0, count: PAGE }),
        )
      ).row,
    );
    rows.push(
      (
        await measure('search by @id', (i) =>
          call('node', { handle, id: instances.result.rows[i].id }),
        )
      ).row,
    );
    // The root's page first (cold), then pages of its largest children.
    let topChildren = [];
    const dominators = await measure('dominators (root, then its largest children)', async (i) => {
      const node = i === 0 ? 0 : (topChildren[i - 1] ?? 0);
      const page = await call('dominatorsPage', { handle, node, start: 0, count: PAGE });
      if (i === 0) topChildren = page.rows.map((r) => r.node);
      return page;
    });
    rows.push(dominators.row);
    rows.push((await measure('containment', () => call('containment', { handle }))).row);
    rows.push((await measure('statistics', () => call('statistics', { handle }))).row);
    rows.push(
      (
        await measure('treemap (3 levels × 10)', () =>
          call('treemap', { handle, depth: 3, breadth: 10 }),
        )
      ).row,
    );
    return {
      file,
      sizeMiB: round(sizeMiB),
      nodeCount: info.nodeCount,
      openSeconds: round(opened.ms / 1000),
      rows,
    };
  } finally {
    await stop();
  }
}

const results = [];
const loadBefore = loadavg();
for (const file of files) results.push(await benchFile(file));
rmSync(privateDist, { recursive: true, force: true });

const date = new Date().toISOString().slice(0, 10);
const outDir = join(benchDir, 'results');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `explorer-${date}.json`);
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      loadAverage: { before: loadBefore, after: loadavg() },
      repeat: REPEAT,
      results,
    },
    null,
    2,
  )}\n`,
);
console.error(`wrote ${out}`);

// The Markdown table, one column per snapshot: wall ms, CPU ms in parentheses.
const cell = (wall, cpu) => `${wall} (${cpu})`;
const header = [
  'query',
  ...results.map((r) => `${r.sizeMiB.toFixed(0)} MiB: cold / median / p95, ms wall (CPU)`),
];
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
console.log(
  `| open (read + analysis + explorer indexes) | ${results.map((r) => `${r.openSeconds} s`).join(' | ')} |`,
);
for (let i = 0; i < results[0].rows.length; i++) {
  const cells = results.map(({ rows }) => {
    const r = rows[i];
    return [
      cell(r.coldMs, r.coldCpuMs),
      cell(r.medianMs, r.medianCpuMs),
      cell(r.p95Ms, r.p95CpuMs),
    ].join(' / ');
  });
  const name = results[0].rows[i].name.replace(/ \(\d+ objects\)/, '');
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
