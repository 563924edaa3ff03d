import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRequest } from '../../../src/cli/commands/hunt';
import { runCli } from '../../../src/cli/main';
import {
  childPids,
  eventually,
  miniLeakDir,
  processesInGroup,
  servicesDir,
  watchdogPids,
} from './support';
import { captureIo } from '../../support/cliIo';

const quick = ['--count', '300', '--warmup', '50', '--threshold', '1000'];

test('check exits 1 for a leak and 0 without one, with the ladder printed', async () => {
  const leaky = captureIo({ cwd: servicesDir });
  const code = await runCli(
    ['check', '--entry', 'leaky.mjs', '--request', 'GET /visit/{n}', ...quick],
    leaky,
  );
  assert.equal(code, 1, leaky.stderr.join('\n'));
  assert.match(
    leaky.stdout[0] ?? '',
    /^Leak: 'leaky' keeps [\d.]+ KB per request \(threshold 1000 B\)/,
  );
  assert.match(leaky.stdout[1] ?? '', /^ {2}Why: .*survived the next/);
  // Requests, heap after GC and, when the service reports it, its buffer memory.
  const rungs = leaky.stdout.filter((line) =>
    /^ +\d+ +-?[\d.]+ (B|KB|MB)( +[\d.]+ (B|KB|MB))?$/.test(line),
  );
  assert.equal(rungs.length, 4, 'the heap after each of the four rungs is printed');
  const steady = captureIo({ cwd: servicesDir });
  assert.equal(
    await runCli(
      ['check', '--entry', 'steady.mjs', '--request', 'GET /visit/{n}', ...quick],
      steady,
    ),
    0,
  );
  assert.match(steady.stdout[0] ?? '', /^No leak: 'steady'/);
});

test('check exits 2 when the service cannot start, naming the reason', async () => {
  const io = captureIo({ cwd: servicesDir });
  assert.equal(
    await runCli(['check', '--entry', 'crash-at-start.mjs', '--request', 'GET /'], io),
    2,
  );
  assert.match(io.stderr.join('\n'), /exited with code 1 before it was ready[\s\S]*DATABASE_URL/);
  const missing = captureIo({ cwd: servicesDir });
  assert.equal(await runCli(['check', '--entry', 'nope.mjs', '--request', 'GET /'], missing), 2);
  assert.match(missing.stderr.join('\n'), /entry file not found/);
});

test('bad command lines are one-line usage errors', async () => {
  for (const argv of [
    ['hunt', '--entry', 'leaky.mjs'],
    ['hunt', '--entry', 'leaky.mjs', '--request', 'FETCH /'],
    ['hunt', '--entry', 'leaky.mjs', '--request', 'POST /x {not json'],
    ['hunt', 'a', 'b'],
    ['check', miniLeakDir, '--entry', 'leaky.mjs', '--request', 'GET /'],
    ['check', miniLeakDir, '--count', 'many'],
  ]) {
    const io = captureIo({ cwd: servicesDir });
    assert.equal(await runCli(argv, io), 2, argv.join(' '));
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
  }
  assert.deepEqual(parseRequest('post /orders/{n} {"qty":2}', 'shop'), {
    service: 'shop',
    method: 'POST',
    path: '/orders/{n}',
    body: { qty: 2 },
  });
});

test('hunt --json prints exactly the documented shape', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-cli-'));
  try {
    const io = captureIo({ cwd: servicesDir });
    assert.equal(await runCli(['hunt', miniLeakDir, '--json', '--snapshots', dir], io), 0);
    const result = JSON.parse(io.stdout.join('\n')) as Record<string, unknown>;
    // The fields of 0.1 first, then what explains the verdict.
    assert.deepEqual(Object.keys(result).slice(0, 3), ['verdict', 'reason', 'service']);
    for (const field of ['bytesPerRequest', 'snapshots', 'suspects', 'ladder', 'evidence'])
      assert.ok(field in result, field);
    assert.equal(result.verdict, 'leak');
    const suspects = result.suspects as {
      name: string;
      location?: { file: string };
      allocation?: { stack: unknown[] };
    }[];
    for (const field of ['name', 'count', 'retainedSize', 'path', 'location', 'allocation'])
      assert.ok(field in suspects[0]!, field);
    assert.ok(suspects[0]!.allocation!.stack.length > 0);
    assert.match(suspects[0]!.location!.file, /mini-leak\/app\/server\.mjs$/);
    assert.ok(
      io.stderr.some((line) => /measuring 'api'/.test(line)),
      'progress went to stderr',
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('Ctrl-C during hunt stops the services, removes the partial snapshot and exits 130', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-cli-'));
  try {
    const controller = new AbortController();
    const pids = new Set<number>();
    const io = captureIo({ cwd: servicesDir, signal: controller.signal });
    io.err = (text) => {
      io.stderr.push(text);
      childPids().forEach((pid) => pids.add(pid));
      if (/baseline snapshot \d+%/.test(text)) controller.abort();
    };
    assert.equal(await runCli(['hunt', miniLeakDir, '--snapshots', dir], io), 130);
    assert.match(io.stderr.at(-1) ?? '', /interrupted/);
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(pids.size >= 1);
    for (const pid of pids) assert.deepEqual(processesInGroup(pid), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('SIGTERM to the CLI stops the services it started before it exits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-cli-'));
  const cli = spawn(
    process.execPath,
    [
      join(__dirname, '../../../src/cli/main.js'),
      'hunt',
      '--entry',
      'leaky.mjs',
      '--request',
      'GET /',
      '--snapshots',
      dir,
    ],
    { cwd: servicesDir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const services: number[] = [];
  const watchdogs: number[] = [];
  let stderr = '';
  cli.stderr.setEncoding('utf8');
  cli.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    if (services.length === 0 && /measuring 'leaky'/.test(stderr)) {
      services.push(...childPids(cli.pid));
      watchdogs.push(...watchdogPids(cli.pid));
      cli.kill('SIGTERM');
    }
  });
  const code = await new Promise<number | null>((done) => cli.once('exit', (c) => done(c)));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /terminated by SIGTERM/);
  assert.equal(services.length, 1);
  for (const pid of services) assert.deepEqual(processesInGroup(pid), []);
  // The CLI's watchdog ends with it, having nothing left to do.
  assert.equal(watchdogs.length, 1);
  await eventually(() => processesInGroup(watchdogs[0]!).length === 0, 5000);
  await rm(dir, { recursive: true, force: true });
});
