import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { hashFiles } from '../../../src/exercises/files';
import { captureIo } from '../../support/cliIo';

// An exercise whose service exists only after its setup step transpiles it from TypeScript
// (like exercises/task-api), generated here so each test can break it its own way.
const work = mkdtempSync(join(tmpdir(), 'leakhunt-setup-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const ID = 'built-leak';
const quick = ['--count', '300', '--warmup', '50', '--threshold', '1000'];

// Type-only lines first, so the JavaScript and TypeScript line numbers differ.
const SERVER_TS = `import http from 'node:http';

interface LogEntry {
  step: number;
  at: number;
}

class Session {
  readonly log: LogEntry[];
  constructor(readonly id: number) {
    this.log = Array.from({ length: 100 }, (_, i) => ({ step: i, at: id }));
  }
}

const sessions = new Map<number, Session>();
let next = 0;

http
  .createServer((_req, res) => {
    next += 1;
    sessions.set(next, new Session(next));
    res.end(JSON.stringify({ id: next }));
  })
  .listen(Number(process.env.PORT), process.env.HOST);
`;

const BUILD_JS = `const fs = require('node:fs');
const ts = require(process.env.LEAKHUNT_TYPESCRIPT);
const out = ts.transpileModule(fs.readFileSync('src/server.ts', 'utf8'), {
  fileName: 'server.ts',
  compilerOptions: {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    inlineSourceMap: true,
    inlineSources: true,
  },
});
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/server.js', out.outputText);
console.log('built dist/server.js');
`;

function writeExercise(name: string, buildJs: string): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'app', 'src'), { recursive: true });
  mkdirSync(join(dir, 'solution'), { recursive: true });
  writeFileSync(join(dir, 'scenario.md'), '# Built leak\n');
  writeFileSync(join(dir, 'app', 'build.js'), buildJs);
  writeFileSync(join(dir, 'app', 'src', 'server.ts'), SERVER_TS);
  const manifest = {
    id: ID,
    title: 'Built leak',
    summary: 'A service that setup builds from TypeScript.',
    difficulty: 'easy',
    minutes: 5,
    scenario: 'scenario.md',
    setup: { command: 'node build.js', timeoutSeconds: 60 },
    services: [{ name: 'api', entry: 'dist/server.js' }],
    load: {
      requests: [{ service: 'api', method: 'GET', path: '/visit/{n}' }],
      concurrency: 4,
      count: 300,
    },
    hints: ['Watch the heap.', 'Diff the snapshots.', 'Something module-level keeps them.'],
    tests: { command: 'node --test' },
    check: { service: 'api', warmup: 50, step: 200, thresholdBytesPerRequest: 1000 },
    solution: 'solution',
  };
  writeFileSync(join(dir, 'exercise.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Temporary app copies of this test's exercise that exist right now. */
function copies(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`leakhunt-${ID}-`));
}

test('hunt runs setup in a temporary copy, hunts there and points suspects at the exercise sources', async () => {
  const dir = writeExercise('hunt', BUILD_JS);
  const before = await hashFiles(dir);
  const snapshots = join(work, 'hunt-snapshots');
  const io = captureIo({ cwd: work });
  let builtCopy: string | undefined;
  io.err = (text) => {
    io.stderr.push(text);
    if (text === 'starting api')
      builtCopy = copies().find((name) =>
        existsSync(join(tmpdir(), name, 'app', 'dist', 'server.js')),
      );
  };
  const code = await runCli(['hunt', dir, '--json', '--snapshots', snapshots, ...quick], io);
  assert.equal(code, 0, io.stderr.join('\n'));
  assert.equal(io.stderr[0], 'setup: node build.js');
  assert.match(io.stderr[1] ?? '', /^setup: done in \d+\.\ds$/);
  assert.ok(builtCopy, 'the services ran from a copy that setup had built');
  const result = JSON.parse(io.stdout.join('\n')) as {
    verdict: string;
    suspects: { name: string; location?: { file: string; line: number; column: number } }[];
  };
  assert.equal(result.verdict, 'leak');
  const session = result.suspects.find((s) => s.name === 'Session');
  const addLine = SERVER_TS.split('\n').findIndex((l) => l.includes('sessions.set(')) + 1;
  assert.deepEqual(
    { file: session?.location?.file, line: session?.location?.line },
    { file: join(dir, 'app', 'src', 'server.ts'), line: addLine },
    'the built file is traced through its source map to the TypeScript line that keeps sessions',
  );
  for (const { location } of result.suspects)
    assert.ok(!location?.file.includes(`leakhunt-${ID}-`), `${location?.file} is in the copy`);
  assert.deepEqual(await hashFiles(dir), before, 'the exercise folder is untouched');
  assert.ok(!existsSync(join(dir, 'app', 'dist')));
  assert.deepEqual(copies(), [], 'the temporary copy is removed');
});

test('check builds the copy too and gives the leak verdict as its exit code', async () => {
  const dir = writeExercise('check', BUILD_JS);
  const before = await hashFiles(dir);
  const io = captureIo({ cwd: work });
  assert.equal(await runCli(['check', dir, ...quick], io), 1, io.stderr.join('\n'));
  assert.match(io.stdout[0] ?? '', /^Leak: 'api' keeps/);
  assert.equal(io.stderr[0], 'setup: node build.js');
  assert.deepEqual(await hashFiles(dir), before);
  assert.deepEqual(copies(), []);
});

test('a failing setup stops hunt and check with exit 2 and one error line with the output tail', async () => {
  const dir = writeExercise(
    'broken',
    `console.log('compiling');\nconsole.error('No TypeScript compiler found');\nprocess.exit(3);\n`,
  );
  const before = await hashFiles(dir);
  for (const command of ['hunt', 'check']) {
    const io = captureIo({ cwd: work });
    assert.equal(await runCli([command, dir, ...quick], io), 2, command);
    assert.deepEqual(io.stdout, []);
    assert.equal(io.stderr.length, 2, io.stderr.join('\n'));
    const [headline, ...tail] = io.stderr[1]!.split('\n');
    assert.match(
      headline!,
      new RegExp(`^leakhunt ${command}: setup 'node build\\.js' failed \\(exit code 3\\)`),
    );
    assert.deepEqual(tail, ['  compiling', '  No TypeScript compiler found']);
    assert.ok(!io.stderr.some((line) => /starting api/.test(line)), 'no service started');
  }
  assert.deepEqual(await hashFiles(dir), before);
  assert.deepEqual(copies(), []);
});

test('Ctrl-C during setup stops it, exits 130 and removes the copy', async () => {
  const dir = writeExercise('slow', `setTimeout(() => {}, 60000);\n`);
  const controller = new AbortController();
  const io = captureIo({ cwd: work, signal: controller.signal });
  let during: string[] = [];
  io.err = (text) => {
    io.stderr.push(text);
    if (text.startsWith('setup: node'))
      setTimeout(() => {
        during = copies();
        controller.abort();
      }, 200);
  };
  const started = Date.now();
  assert.equal(await runCli(['hunt', dir, ...quick], io), 130);
  assert.ok(Date.now() - started < 30000, 'the setup step did not run to its end');
  assert.match(io.stderr.at(-1) ?? '', /interrupted/);
  assert.equal(during.length, 1, 'the copy existed while setup ran');
  assert.deepEqual(copies(), []);
});

test('an exercise without setup runs from its own folder, with no copy and no setup step', async () => {
  const dir = join(__dirname, '../../../../test/fixtures/exercises/mini-leak');
  const io = captureIo({ cwd: work });
  let copiesWhileRunning: string[] | undefined;
  io.err = (text) => {
    io.stderr.push(text);
    if (text === 'starting api')
      copiesWhileRunning = readdirSync(tmpdir()).filter((n) => n.startsWith('leakhunt-mini-leak-'));
  };
  assert.equal(await runCli(['check', dir, ...quick], io), 1, io.stderr.join('\n'));
  assert.deepEqual(copiesWhileRunning, []);
  assert.ok(!io.stderr.some((line) => line.startsWith('setup:')));
});
