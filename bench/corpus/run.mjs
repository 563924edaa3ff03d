// Leak-verdict corpus: runs `leakhunt hunt` on every case under bench/corpus/ (real npm packages
// with leaks documented in their issue trackers, their fixed versions, healthy apps) and scores
// the verdict, the container the top suspect names and the line it points at.
//   npm run corpus                      (builds, then this script)
//   node bench/corpus/run.mjs [--case <id>]... [--repeat N] [--json <file>] [--timeout <s>]
//                             [--dist <dir>]  (a build other than this tree's dist/, e.g. a worktree's)
// Each case is bench/corpus/<id>/ with package.json + package-lock.json (installed here with
// `npm ci` when node_modules is missing or older than the lock), server.js and case.json.
// Exit code 0 whatever the score (this is a measurement), 2 when the runner itself fails.
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const corpusDir = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(corpusDir, '..', '..');
const KINDS = ['leak', 'no-leak'];

class RunnerError extends Error {}

// ---------------------------------------------------------------------------------------------
// Printing: everything that comes from a hunt result (or a case file) is shown as inert text.

/** Escapes control characters (C0, DEL, C1) and bidi/line-separator format characters. */
export function printable(value) {
  return String(value).replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => {
      const named = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }[ch];
      if (named) return named;
      const code = ch.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    },
  );
}

function clip(text, width) {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

function pad(text, width) {
  const length = [...text].length;
  return length >= width ? text : text + ' '.repeat(width - length);
}

function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '?';
  const abs = Math.abs(n);
  if (abs < 1024) return `${Math.round(n)} B`;
  if (abs < 1024 * 1024) return `${(n / 1024).toFixed(abs < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const log = (message) => process.stderr.write(`${message}\n`);

// ---------------------------------------------------------------------------------------------
// Cases

function readCase(id) {
  const dir = join(corpusDir, id);
  const file = join(dir, 'case.json');
  let spec;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RunnerError(`${file}: ${error.message}`);
  }
  const problems = [];
  if (spec.id !== id) problems.push(`id must be "${id}" (the folder name)`);
  if (!KINDS.includes(spec.kind)) problems.push(`kind must be one of ${KINDS.join(', ')}`);
  if (!Array.isArray(spec.requests) || spec.requests.length === 0)
    problems.push('requests must be a non-empty array');
  else if (spec.requests.some((r) => typeof r !== 'string')) problems.push('requests are strings');
  if (spec.kind === 'leak') {
    const e = spec.expect;
    if (!e || typeof e.container !== 'string' || !e.container)
      problems.push('a leak needs expect.container');
    if (!e || typeof e.file !== 'string' || !e.file) problems.push('a leak needs expect.file');
    if (!e || !Number.isInteger(e.line) || e.line < 1) problems.push('a leak needs expect.line');
  }
  for (const key of ['count', 'warmup', 'threshold'])
    if (spec[key] !== undefined && !(Number.isInteger(spec[key]) && spec[key] >= 0))
      problems.push(`${key} must be a whole number`);
  for (const name of ['server.js', 'package.json', 'package-lock.json'])
    if (!existsSync(join(dir, name))) problems.push(`${name} is missing`);
  if (problems.length) throw new RunnerError(`${file}: ${problems.join('; ')}`);
  return { ...spec, dir };
}

function listCases() {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(corpusDir, d.name, 'case.json')))
    .map((d) => d.name)
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Runs a command; resolves with its exit code, stdout and the tail of its stderr. */
function run(command, args, { cwd, timeoutMs, onStderr } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    const out = [];
    let errTail = '';
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => {
      errTail = (errTail + chunk.toString('utf8')).slice(-4000);
      onStderr?.(chunk.toString('utf8'));
    });
    let timedOut = false;
    const timer =
      timeoutMs &&
      setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM'); // the CLI stops its services on SIGTERM
        setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
      }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      current = undefined;
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolvePromise({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderrTail: errTail,
      });
    });
  });
}

let current;
for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(name, () => {
    if (current && current.exitCode === null)
      current.kill(name === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    log(`corpus: ${name}, stopping`);
    process.exitCode = 130;
    setTimeout(() => process.exit(130), 3000).unref();
  });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A private copy of the built CLI: others rebuild dist/ at any time (esbuild empties it first),
 * so the corpus runs from a copy made once, retrying while dist/cli.js is briefly missing.
 */
async function privateCli(dist = join(repoDir, 'dist')) {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      if (existsSync(join(dist, 'cli.js'))) {
        const copy = mkdtempSync(join(tmpdir(), 'leakhunt-corpus-dist-'));
        cpSync(dist, copy, { recursive: true });
        if (existsSync(join(copy, 'cli.js'))) return copy;
        rmSync(copy, { recursive: true, force: true });
      }
    } catch {
      // a rebuild emptied dist/ while we copied it: try again
    }
    await sleep(2000);
  }
  throw new RunnerError(`${join(dist, 'cli.js')} is missing: run \`node esbuild.mjs\` first`);
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

async function ensureInstalled(spec) {
  const modules = join(spec.dir, 'node_modules');
  const installed = Math.max(mtime(modules), mtime(join(modules, '.package-lock.json')));
  if (installed >= 0 && installed >= mtime(join(spec.dir, 'package-lock.json'))) return;
  log(`corpus: ${spec.id}: npm ci`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: spec.dir,
    timeoutMs: 10 * 60_000,
  });
  if (result.code !== 0)
    throw new RunnerError(
      `${spec.id}: npm ci failed (exit ${result.code ?? result.signal})\n${result.stderrTail}`,
    );
}

// ---------------------------------------------------------------------------------------------
// Scoring

/** Strings a field may hold, whatever its shape (string, array, object of strings). */
function texts(value, depth = 0) {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number') return [String(value)];
  if (depth > 2 || typeof value !== 'object') return [];
  const values = Array.isArray(value) ? value : Object.values(value);
  return values.flatMap((v) => texts(v, depth + 1));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether `candidate` names `expected`: equal, or contains it as a whole identifier. */
function names(candidate, expected) {
  if (candidate === expected) return true;
  const word = new RegExp(`(^|[^A-Za-z0-9_$])${escapeRegExp(expected)}($|[^A-Za-z0-9_$])`);
  return word.test(candidate);
}

function containerCandidates(suspect) {
  if (!suspect || typeof suspect !== 'object') return [];
  return [
    ...texts(suspect.owner),
    ...texts(suspect.container),
    ...texts(suspect.name),
    ...texts(suspect.path),
  ];
}

/** `{file, line, column}` or "file:line[:column]" as `{ file, line }`. */
function parseLocation(location) {
  if (!location) return undefined;
  if (typeof location === 'string') {
    const m = /^(.*?):(\d+)(?::(\d+))?$/.exec(location);
    return m ? { file: m[1], line: Number(m[2]) } : { file: location, line: undefined };
  }
  if (typeof location === 'object' && typeof location.file === 'string')
    return { file: location.file, line: Number(location.line) };
  return undefined;
}

/** A location as shown: relative to the case folder when inside it. */
function shownFile(file, caseDir) {
  let path = file;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return file;
    }
  }
  if (!isAbsolute(path)) return file;
  const rel = relative(caseDir, path);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel.split(sep).join('/');
}

/** The top suspect as shown: its name, and the container holding it when the hunt says. */
function suspectLabel(top) {
  const name = texts(top.name)[0] ?? '?';
  const owner = texts(top.owner)[0] ?? texts(top.container)[0];
  return owner && owner !== name ? `${name} in ${owner}` : name;
}

function score(spec, result) {
  const verdict = typeof result?.verdict === 'string' ? result.verdict : 'error';
  const top = Array.isArray(result?.suspects) ? result.suspects[0] : undefined;
  const location = parseLocation(top?.location);
  const where = location
    ? { file: shownFile(location.file, spec.dir), line: location.line }
    : undefined;
  const row = {
    verdict,
    // What the verdict stands on: bytes per request that survived a load (else the heap slope).
    bytesPerRequest:
      [result?.evidence?.survivingBytesPerRequest, result?.bytesPerRequest].find(
        (value) => typeof value === 'number',
      ) ?? null,
    topSuspect: top ? suspectLabel(top) : null,
    reason: typeof result?.reason === 'string' ? result.reason : null,
    topPath: top && Array.isArray(top.path) ? top.path.map(String) : null,
    location: where ? `${where.file}${where.line ? `:${where.line}` : ''}` : null,
    verdictRight: verdict === spec.kind,
  };
  if (spec.kind === 'leak') {
    row.containerNamed = containerCandidates(top).some((c) => names(c, spec.expect.container));
    row.lineHit =
      !!where &&
      where.file === spec.expect.file.split(sep).join('/') &&
      where.line === spec.expect.line;
  }
  return row;
}

// ---------------------------------------------------------------------------------------------
// Main

async function huntCase(cli, spec, timeoutMs) {
  const snapshots = mkdtempSync(join(tmpdir(), `leakhunt-corpus-${spec.id}-`));
  const args = [join(cli, 'cli.js'), 'hunt', '--entry', join(spec.dir, 'server.js')];
  for (const request of spec.requests) args.push('--request', request);
  for (const key of ['count', 'warmup', 'threshold'])
    if (spec[key] !== undefined) args.push(`--${key}`, String(spec[key]));
  args.push('--json', '--snapshots', snapshots);
  const started = Date.now();
  try {
    const ran = await run(process.execPath, args, { cwd: spec.dir, timeoutMs });
    const seconds = (Date.now() - started) / 1000;
    let result;
    let error;
    if (ran.timedOut) error = `timed out after ${timeoutMs / 1000} s`;
    else if (ran.code !== 0) error = `hunt exited with ${ran.code ?? ran.signal}`;
    else {
      try {
        result = JSON.parse(ran.stdout);
      } catch {
        error = 'hunt printed no JSON';
      }
    }
    if (error) {
      const tail = ran.stderrTail.trim().split('\n').slice(-3).join(' | ');
      error = `${error}${tail ? `: ${tail}` : ''}`;
    }
    return { result, error, seconds };
  } finally {
    rmSync(snapshots, { recursive: true, force: true });
  }
}

function printTable(rows) {
  const mark = (v) => (v === undefined ? '–' : v ? '✓' : '✗');
  const header = ['case', 'expected', 'verdict', 'B/req', 'top suspect', 'location', 'V', 'C', 'L'];
  const lines = rows.map((r) => [
    printable(r.run),
    r.kind,
    printable(r.error ? 'error' : r.verdict),
    r.bytesPerRequest === null ? '–' : formatBytes(r.bytesPerRequest),
    clip(printable(r.topSuspect ?? '–'), 36),
    clip(printable(r.location ?? '–'), 48),
    mark(r.verdictRight),
    mark(r.containerNamed),
    mark(r.lineHit),
  ]);
  const widths = header.map((h, i) =>
    Math.max([...h].length, ...lines.map((l) => [...l[i]].length)),
  );
  const format = (cells) =>
    cells
      .map((c, i) => pad(c, widths[i]))
      .join('  ')
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(format(l));
  for (const r of rows) {
    if (r.error) console.log(`  ${printable(r.run)}: ${printable(r.error)}`);
    else if (r.verdict === 'inconclusive' && r.reason)
      console.log(`  ${printable(r.run)}: inconclusive: ${printable(r.reason)}`);
  }
}

function totals(rows) {
  const leaks = rows.filter((r) => r.kind === 'leak');
  const ratio = (n, m) => ({ n, m, percent: m ? Math.round((1000 * n) / m) / 10 : null });
  return {
    verdicts: ratio(rows.filter((r) => r.verdictRight).length, rows.length),
    containers: ratio(leaks.filter((r) => r.containerNamed).length, leaks.length),
    lines: ratio(leaks.filter((r) => r.lineHit).length, leaks.length),
  };
}

async function main() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        case: { type: 'string', multiple: true },
        repeat: { type: 'string', default: '1' },
        json: { type: 'string' },
        timeout: { type: 'string', default: '600' },
        dist: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    throw new RunnerError(error.message);
  }
  if (values.help) {
    console.log(
      'node bench/corpus/run.mjs [--case <id>]... [--repeat N] [--json <file>] [--timeout <s>] [--dist <dir>]',
    );
    return;
  }
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new RunnerError('--repeat expects N >= 1');
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new RunnerError('--timeout expects seconds > 0');
  const all = listCases();
  const ids = values.case ?? all;
  for (const id of ids)
    if (!all.includes(id)) throw new RunnerError(`no case '${id}' (cases: ${all.join(', ')})`);
  if (ids.length === 0) throw new RunnerError(`no cases under ${corpusDir}`);
  const specs = ids.map(readCase);

  for (const spec of specs) await ensureInstalled(spec);
  const cli = await privateCli(values.dist && resolve(values.dist));
  const rows = [];
  const started = new Date();
  try {
    for (let k = 1; k <= repeat; k++)
      for (const spec of specs) {
        if (process.exitCode === 130) throw new RunnerError('interrupted');
        const run = repeat > 1 ? `${spec.id}#${k}` : spec.id;
        log(`corpus: ${run} (${spec.kind})…`);
        const { result, error, seconds } = await huntCase(cli, spec, timeoutSeconds * 1000);
        const row = { run, id: spec.id, kind: spec.kind, seconds, ...score(spec, result) };
        if (error) row.error = error;
        if (spec.expect) row.expect = spec.expect;
        rows.push(row);
        log(
          `corpus: ${run}: ${printable(row.error ? 'error' : row.verdict)} in ${seconds.toFixed(1)} s`,
        );
      }
  } finally {
    rmSync(cli, { recursive: true, force: true });
  }

  console.log('');
  printTable(rows);
  const t = totals(rows);
  const show = ({ n, m, percent }) => `${n}/${m}${percent === null ? '' : ` (${percent}%)`}`;
  console.log('');
  console.log(`Verdicts right:   ${show(t.verdicts)}  (inconclusive and errors count as wrong)`);
  console.log(`Containers named: ${show(t.containers)}  (leak cases)`);
  console.log(`Lines hit:        ${show(t.lines)}  (leak cases)`);
  if (values.json) {
    const file = resolve(values.json);
    writeFileSync(
      file,
      `${JSON.stringify({ started: started.toISOString(), node: process.version, repeat, totals: t, rows }, null, 2)}\n`,
    );
    log(`corpus: wrote ${file}`);
  }
}

main().then(
  () => {
    if (process.exitCode !== 130) process.exitCode = 0;
  },
  (error) => {
    log(`corpus: ${error instanceof RunnerError ? error.message : (error?.stack ?? error)}`);
    process.exitCode = process.exitCode === 130 ? 130 : 2;
  },
);
