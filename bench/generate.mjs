// Generates the benchmark's leaky-heap snapshots into bench/data/ (gitignored), once:
// a file that is already there is reused, so only the first run pays for generation.
//   node bench/generate.mjs [--sizes 20,140,450,600] [--no-triple] [--huge] [--force]
// Sizes are in MiB and land within a few percent. --huge adds a ~1.5 GiB snapshot (for the
// "works in a worker without crashing" target); --force regenerates what is asked for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
export const dataDir = join(benchDir, 'data');
const builder = join(benchDir, 'lib', 'leakyService.mjs');
const MiB = 1024 * 1024;

export const DEFAULT_SIZES = [20, 140, 450, 600];
export const HUGE_SIZE = 1536;
/** Three snapshots of one growing process, about 135 MiB each. */
export const TRIPLE_SIZES = [126, 135, 144];
// Records made and dropped before each triple snapshot, so the diff also sees deletions.
const TRIPLE_CHURN = 3000;

export function snapshotPath(sizeMiB) {
  return join(dataDir, `leaky-${String(sizeMiB).padStart(4, '0')}MiB.heapsnapshot`);
}

export function triplePaths() {
  return ['baseline', 'target', 'final'].map((name) =>
    join(dataDir, `triple-${name}.heapsnapshot`),
  );
}

/** Runs the heap builder; every step writes one snapshot of the same process. */
function build(steps, heapMiB) {
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [`--max-old-space-size=${heapMiB}`, builder, JSON.stringify({ steps })],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`heap builder failed (${result.signal ?? `exit ${result.status}`})`);
  return (Date.now() - started) / 1000;
}

// Snapshot bytes grow linearly with cached records; measure the slope on this Node version
// instead of trusting a constant that changes with V8.
let calibration;
function calibrate() {
  if (calibration) return calibration;
  mkdirSync(dataDir, { recursive: true });
  const small = join(dataDir, 'calibrate-0.tmp');
  const large = join(dataDir, 'calibrate-1.tmp');
  const records = 5000;
  build(
    [
      { records: 0, file: small },
      { records, file: large },
    ],
    2048,
  );
  const base = statSync(small).size;
  const perRecord = (statSync(large).size - base) / records;
  rmSync(small);
  rmSync(large);
  return (calibration = { base, perRecord });
}

function recordsFor(sizeMiB) {
  const { base, perRecord } = calibrate();
  return Math.max(0, Math.round((sizeMiB * MiB - base) / perRecord));
}

// The builder's heap is roughly 5x the snapshot, and writing the snapshot needs headroom.
function heapFor(sizeMiB) {
  return Math.max(2048, Math.ceil(sizeMiB * 8));
}

function generateOne(sizeMiB, force, log) {
  const file = snapshotPath(sizeMiB);
  if (existsSync(file) && !force) return file;
  const tmp = `${file}.tmp`;
  const seconds = build([{ records: recordsFor(sizeMiB), churn: 0, file: tmp }], heapFor(sizeMiB));
  renameSync(tmp, file);
  log(`generated ${file} (${(statSync(file).size / MiB).toFixed(1)} MiB, ${seconds.toFixed(1)} s)`);
  return file;
}

function generateTriple(force, log) {
  const files = triplePaths();
  if (files.every((f) => existsSync(f)) && !force) return files;
  const steps = TRIPLE_SIZES.map((size, i) => ({
    // The churn records are alive when the snapshot is written, so they count toward its size.
    records: recordsFor(size) - TRIPLE_CHURN,
    churn: TRIPLE_CHURN,
    file: `${files[i]}.tmp`,
  }));
  const seconds = build(steps, heapFor(Math.max(...TRIPLE_SIZES)));
  files.forEach((f) => renameSync(`${f}.tmp`, f));
  const sizes = files.map((f) => (statSync(f).size / MiB).toFixed(1)).join(' / ');
  log(`generated triple ${sizes} MiB (${seconds.toFixed(1)} s)`);
  return files;
}

/**
 * Makes sure the requested snapshots exist and returns their paths:
 * `{ sizes: Map<MiB, path>, triple?: [baseline, target, final] }`.
 */
export function ensureSnapshots({
  sizes = DEFAULT_SIZES,
  triple = true,
  huge = false,
  force = false,
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  mkdirSync(dataDir, { recursive: true });
  const wanted = huge ? [...sizes, HUGE_SIZE] : sizes;
  const bySize = new Map(wanted.map((size) => [size, generateOne(size, force, log)]));
  return { sizes: bySize, triple: triple ? generateTriple(force, log) : undefined };
}

function parseSizes(text) {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isFinite(n) || n <= 0))
    throw new Error(`--sizes wants MiB numbers like 20,140; got '${text}'`);
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--sizes');
  const result = ensureSnapshots({
    sizes: at >= 0 ? parseSizes(argv[at + 1] ?? '') : DEFAULT_SIZES,
    triple: !argv.includes('--no-triple'),
    huge: argv.includes('--huge'),
    force: argv.includes('--force'),
  });
  for (const [size, file] of result.sizes) console.log(`${size} MiB\t${file}`);
  for (const file of result.triple ?? []) console.log(`triple\t${file}`);
}

export { parseSizes };
