// Heap benchmark: Leak Hunt's engine against Chrome DevTools' loader, memlab, VS Code's wasm
// parser and the read-and-scan floor, each run in a FRESH process on the same snapshots.
//   npm run bench                      (production build, then this script)
//   node bench/run.mjs [--sizes 20,140,450,600] [--repeat N] [--no-triple] [--huge]
//                      [--only ours,worker,devtools,memlab,vscode,floor] [--timeout 300]
//                      [--priority -10]   (nice value for the measured processes; root only)
// Prints wall and CPU time, MiB/s, peak RSS and our ratio to each contender; writes the same
// figures to bench/results/<date>.json. A contender that crashes or runs out of memory is recorded as
// such and the run goes on.
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, setPriority, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DEFAULT_SIZES, HUGE_SIZE, ensureSnapshots, parseSizes } from './generate.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(benchDir);
const builtDist = join(repoDir, 'dist');
// Ours runs from a private copy of the build: a concurrent `node esbuild.mjs` wipes dist/.
const privateDist = join(tmpdir(), `leakhunt-bench-dist-${process.pid}`);
const cli = join(privateDist, 'cli.js');
const heapWorker = join(privateDist, 'heapWorker.js');
const probe = join(benchDir, 'lib', 'probe.mjs');
const MiB = 1024 * 1024;
// The anchors get all the heap they could use on this 24 GiB machine; ours runs as shipped.
const ANCHOR_HEAP = ['--max-old-space-size=16384'];

/** Every contender: how to run it on one snapshot (`summary`) and on a triple (`diff`). */
const CONTENDERS = {
  ours: {
    label: 'Leak Hunt',
    nodeArgs: [],
    summary: (file) => [cli, 'summary', file, '--json'],
    diff: (files) => [cli, 'diff', ...files, '--json'],
  },
  worker: {
    label: 'Leak Hunt in its worker',
    nodeArgs: [],
    summary: (file) => [
      join(benchDir, 'contenders', 'oursWorker.mjs'),
      'summary',
      file,
      heapWorker,
    ],
    diff: undefined,
  },
  devtools: {
    label: 'DevTools loader',
    nodeArgs: ANCHOR_HEAP,
    summary: (file) => [join(benchDir, 'contenders', 'devtools.mjs'), 'summary', file],
    diff: (files) => [join(benchDir, 'contenders', 'devtools.mjs'), 'diff', ...files],
  },
  memlab: {
    label: 'memlab',
    nodeArgs: ANCHOR_HEAP,
    summary: (file) => [join(benchDir, 'contenders', 'memlab.mjs'), 'summary', file],
    diff: (files) => [join(benchDir, 'contenders', 'memlab.mjs'), 'diff', ...files],
  },
  vscode: {
    label: '@vscode/v8-heap-parser',
    nodeArgs: ANCHOR_HEAP,
    summary: (file) => [join(benchDir, 'contenders', 'vscode.mjs'), 'summary', file],
    // It has no diff; the triple row says so instead of inventing one.
    diff: undefined,
  },
  floor: {
    label: 'floor (read + scan)',
    nodeArgs: [],
    summary: (file) => [join(benchDir, 'contenders', 'floor.mjs'), 'summary', file],
    diff: (files) => [join(benchDir, 'contenders', 'floor.mjs'), 'diff', ...files],
  },
};

function parseOptions(argv) {
  const value = (name) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  // The worker row repeats ours through the extension's path; by default it only faces the
  // huge file, where "works in a worker" is the target.
  const only =
    value('--only')?.split(',') ?? Object.keys(CONTENDERS).filter((name) => name !== 'worker');
  for (const name of only)
    if (!(name in CONTENDERS)) throw new Error(`--only: unknown contender '${name}'`);
  const repeat = Number(value('--repeat') ?? 1);
  const timeout = Number(value('--timeout') ?? 300);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat wants a whole number ≥ 1');
  if (!(timeout > 0)) throw new Error('--timeout wants seconds > 0');
  const priority = value('--priority') === undefined ? undefined : Number(value('--priority'));
  if (priority !== undefined && !(Number.isInteger(priority) && priority >= -20 && priority <= 19))
    throw new Error('--priority wants a nice value from -20 to 19');
  return {
    priority,
    sizes: value('--sizes') ? parseSizes(value('--sizes')) : DEFAULT_SIZES,
    triple: !argv.includes('--no-triple'),
    huge: argv.includes('--huge'),
    only,
    repeat,
    timeoutMs: timeout * 1000,
  };
}

function peakFromProc(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

// Why a run failed: a short status for the table and the last stderr line for the notes.
function classifyFailure(code, signal, stderr, timedOut) {
  // The line that names the error, not Node's closing banner or a stack frame.
  const lines = stderr
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at |^Node\.js v/.test(l));
  const named = lines.find((l) => /error|panicked|fatal|out of memory/i.test(l));
  const detail = (named ?? lines.at(-1) ?? '').trim().slice(0, 160);
  const status = timedOut
    ? 'timeout'
    : /heap out of memory|Allocation failed|Array buffer allocation failed|Out of memory/i.test(
          stderr,
        )
      ? 'crashed: OOM'
      : /Invalid string length|Cannot create a string longer/i.test(stderr)
        ? 'crashed: string too long'
        : /RuntimeError|unreachable|memory access out of bounds/i.test(stderr)
          ? 'crashed: wasm'
          : signal
            ? `crashed: ${signal}`
            : `failed: exit ${code}`;
  return { status, detail };
}

/** Runs one contender once in a fresh node process; resolves to its measurements. */
function runOnce(nodeArgs, args, timeoutMs, priority) {
  const probeFile = join(tmpdir(), `leakhunt-bench-probe-${process.pid}.json`);
  rmSync(probeFile, { force: true });
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [...nodeArgs, '--import', pathToFileURL(probe).href, ...args],
      {
        cwd: repoDir,
        env: { ...process.env, BENCH_PROBE_FILE: probeFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // On a machine shared with other work, a higher priority (root only) keeps the figures
    // closer to an idle machine's; every contender gets the same.
    if (priority !== undefined) setPriority(child.pid, priority);
    const stdout = [];
    let stderr = '';
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    // The probe reports at a clean exit; polling catches the peak of a process that crashes.
    let polledPeak = 0;
    const poll = setInterval(() => {
      polledPeak = Math.max(polledPeak, peakFromProc(child.pid));
    }, 50);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      clearInterval(poll);
      clearTimeout(timer);
      let peakKiB = polledPeak;
      let cpuS;
      if (existsSync(probeFile)) {
        const probed = JSON.parse(readFileSync(probeFile, 'utf8'));
        peakKiB = Math.max(peakKiB, probed.peakRssKiB);
        cpuS = probed.cpuUs / 1e6;
        rmSync(probeFile, { force: true });
      }
      const out = Buffer.concat(stdout).toString();
      let output;
      if (code === 0) {
        try {
          output = JSON.parse(out.trim().split('\n').pop() ?? '');
        } catch {
          // Ours prints one (possibly multi-line) JSON document; anchors print one line.
          try {
            output = JSON.parse(out);
          } catch {
            output = undefined;
          }
        }
      }
      const ok = code === 0 && output !== undefined && !timedOut;
      resolve({
        ok,
        ...(ok ? { status: 'ok' } : classifyFailure(code, signal, stderr, timedOut)),
        wallS,
        cpuS,
        peakRssMiB: peakKiB / 1024,
        output,
      });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What a contender's output says it found, to catch a contender that did nothing. */
function describeOutput(name, output) {
  if (!output) return undefined;
  if (name === 'ours' && Array.isArray(output.classes) && 'nodeCount' in output)
    return `${output.nodeCount} nodes, ${output.classes.length} classes`;
  if (name === 'ours' && Array.isArray(output.suspects))
    return `${output.classes?.length ?? 0} classes, ${output.suspects.length} suspects`;
  return Object.entries(output)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function warm(files) {
  // Every contender should find the file in the page cache; the first one must not pay the disk.
  const buffer = Buffer.allocUnsafe(16 * MiB);
  for (const file of files) {
    const fd = openSync(file, 'r');
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    closeSync(fd);
  }
}

async function measure(workload, options) {
  const rows = [];
  warm(workload.files);
  for (const name of options.only) {
    const contender = CONTENDERS[name];
    const args =
      workload.kind === 'summary'
        ? contender.summary(workload.files[0])
        : contender.diff?.(workload.files);
    if (!args) {
      rows.push({ contender: name, status: 'n/a (no three-snapshot diff)', runs: [] });
      continue;
    }
    const runs = [];
    for (let i = 0; i < options.repeat; i++) {
      const run = await runOnce(contender.nodeArgs, args, options.timeoutMs, options.priority);
      runs.push(run);
      process.stderr.write(
        `  ${workload.name.padEnd(10)} ${name.padEnd(9)} ${run.status.padEnd(14)} ` +
          `${run.wallS.toFixed(2)} s  ${run.peakRssMiB.toFixed(0)} MiB\n`,
      );
      // A contender that crashed will crash again; don't spend the time budget on it.
      if (!run.ok) break;
    }
    const good = runs.filter((r) => r.ok);
    const failed = runs.find((r) => !r.ok);
    rows.push({
      contender: name,
      status: failed ? failed.status : 'ok',
      detail: failed?.detail,
      wallS: good.length === runs.length ? median(good.map((r) => r.wallS)) : undefined,
      cpuS: good.length === runs.length ? median(good.map((r) => r.cpuS)) : undefined,
      peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
      found: describeOutput(name, runs.at(-1)?.output),
      runs: runs.map(({ output: _output, ...rest }) => rest),
    });
  }
  const ours = rows.find((r) => r.contender === 'ours');
  for (const row of rows) {
    row.mibPerS = row.wallS ? workload.sizeMiB / row.wallS : undefined;
    // How many times faster ours is than this contender (>1 = ours faster).
    row.oursSpeedup = ours?.wallS && row.wallS ? row.wallS / ours.wallS : undefined;
    // The same on CPU time (all threads), which a busy machine distorts far less than wall time.
    row.oursCpuSpeedup = ours?.cpuS && row.cpuS ? row.cpuS / ours.cpuS : undefined;
  }
  return { ...workload, rows };
}

function formatTable(result) {
  const header = [
    'contender',
    'wall s',
    'CPU s',
    'MiB/s',
    'peak RSS MiB',
    'RSS/file',
    'ours × faster',
    '(by CPU)',
  ];
  const ratio = (r, value) =>
    r.contender === 'ours' || value === undefined ? '—' : value.toFixed(2);
  const lines = result.rows.map((r) => [
    CONTENDERS[r.contender].label,
    r.wallS !== undefined ? r.wallS.toFixed(2) : r.status,
    r.cpuS !== undefined ? r.cpuS.toFixed(2) : '—',
    r.mibPerS !== undefined ? r.mibPerS.toFixed(0) : '—',
    r.peakRssMiB !== undefined ? r.peakRssMiB.toFixed(0) : '—',
    r.peakRssMiB !== undefined ? (r.peakRssMiB / result.sizeMiB).toFixed(2) : '—',
    ratio(r, r.oursSpeedup),
    ratio(r, r.oursCpuSpeedup),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  const notes = result.rows
    .filter((r) => r.detail)
    .map((r) => `  ${CONTENDERS[r.contender].label}: ${r.detail}`);
  const load = result.load1.map((l) => l.toFixed(1)).join(' → ');
  return [
    `${result.name}: ${result.kind} of ${result.files.length} file(s), ${result.sizeMiB.toFixed(1)} MiB (load ${load})`,
    row(header),
    ...lines.map(row),
    ...notes,
  ].join('\n');
}

/** The targets, checked against what was measured (only where it was measured). */
function checkTargets(results) {
  const checks = [];
  const find = (result, name) => result.rows.find((r) => r.contender === name);
  for (const result of results) {
    // The huge file's target is the worker's; everywhere else it is the CLI's.
    const ours = find(result, result.nominal === HUGE_SIZE ? 'worker' : 'ours');
    if (!ours) continue;
    if (!ours.wallS) {
      checks.push({ target: `${result.name}: ours completes`, pass: false, detail: ours.status });
      continue;
    }
    if (result.kind === 'diff') {
      checks.push({
        target: `${result.name}: three-snapshot diff ≤ 2.5 s`,
        pass: ours.wallS <= 2.5,
        detail: `${ours.wallS.toFixed(2)} s; CPU ${ours.cpuS?.toFixed(2)} s`,
      });
      continue;
    }
    // Below ~100 MiB Node's own ~45 MiB dominates the ratio, so the RSS target starts there.
    if (result.nominal >= 100)
      checks.push({
        target: `${result.name}: peak RSS ≤ 1.5× file`,
        pass: ours.peakRssMiB <= 1.5 * result.sizeMiB,
        detail: `${(ours.peakRssMiB / result.sizeMiB).toFixed(2)}×`,
      });
    if (result.nominal > 500) {
      checks.push({
        target: `${result.name}: analyses fine${result.nominal === HUGE_SIZE ? ' in the worker' : ''}`,
        pass: true,
        detail: `${ours.wallS.toFixed(2)} s`,
      });
      continue;
    }
    if (result.nominal < 100) continue;
    for (const [name, factor] of [
      ['devtools', 3],
      ['memlab', 5],
    ]) {
      const anchor = find(result, name);
      if (!anchor) continue;
      checks.push({
        target: `${result.name}: ≥ ${factor}× faster than ${CONTENDERS[name].label}`,
        pass: anchor.oursSpeedup === undefined ? !anchor.wallS : anchor.oursSpeedup >= factor,
        detail:
          anchor.oursSpeedup !== undefined
            ? `${anchor.oursSpeedup.toFixed(2)}×; by CPU time ${anchor.oursCpuSpeedup?.toFixed(2)}×`
            : anchor.status,
      });
    }
  }
  return checks;
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    kernel: release(),
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  for (const file of ['cli.js', 'heapWorker.js'])
    if (!existsSync(join(builtDist, file)))
      throw new Error(`dist/${file} is missing: build first (npm run bench does it)`);
  mkdirSync(privateDist, { recursive: true });
  for (const file of ['cli.js', 'heapWorker.js'])
    copyFileSync(join(builtDist, file), join(privateDist, file));
  process.on('exit', () => rmSync(privateDist, { recursive: true, force: true }));
  process.stderr.write('preparing snapshots (cached in bench/data/)…\n');
  const snapshots = ensureSnapshots({
    sizes: options.sizes,
    triple: options.triple,
    huge: options.huge,
  });
  const workloads = [];
  for (const [nominal, file] of snapshots.sizes) {
    workloads.push({
      name: `${nominal} MiB`,
      kind: 'summary',
      nominal,
      files: [file],
      sizeMiB: statSync(file).size / MiB,
    });
  }
  if (snapshots.triple) {
    workloads.push({
      name: 'triple',
      kind: 'diff',
      nominal: 135,
      files: snapshots.triple,
      sizeMiB: snapshots.triple.reduce((sum, f) => sum + statSync(f).size, 0) / MiB,
    });
  }
  const results = [];
  for (const workload of workloads) {
    // Only ours (CLI and worker) and the floor face the ~1.5 GiB file: the anchors take
    // minutes or crash on it.
    const only =
      workload.nominal === HUGE_SIZE
        ? ['ours', 'worker', 'floor'].filter((n) => n === 'worker' || options.only.includes(n))
        : options.only;
    process.stderr.write(`${workload.name} (${workload.sizeMiB.toFixed(1)} MiB)\n`);
    // Other work on this 2-core machine skews wall times; keep the load next to the figures.
    const loadBefore = loadavg()[0];
    const measured = await measure(workload, { ...options, only });
    results.push({ ...measured, load1: [loadBefore, loadavg()[0]] });
  }
  const checks = checkTargets(results);
  console.log(`\nMachine: ${JSON.stringify(machine())}; median of ${options.repeat} run(s)\n`);
  for (const result of results) console.log(`${formatTable(result)}\n`);
  console.log('Targets:');
  for (const check of checks)
    console.log(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.target} (${check.detail})`);
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  // A second run on the same day gets its own file rather than replacing the first.
  let out = join(resultsDir, `${date}.json`);
  for (let n = 2; existsSync(out); n++) out = join(resultsDir, `${date}-${n}.json`);
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), machine: machine(), options, results, checks }, null, 2)}\n`,
  );
  console.log(`\nwrote ${out}`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
