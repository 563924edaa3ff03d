import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/command';
import { resolveTarget } from '../../../src/cli/commands/hunt';
import { runCli } from '../../../src/cli/main';
import { withAttachedRig, type HuntReport } from '../../../src/hunt';
import { InspectorError } from '../../../src/inspector/errors';
import { freePort } from '../../../src/inspector/launch';
import { NonLoopbackTargetError } from '../../../src/load';
import { captureIo } from '../../support/cliIo';
import { servicesDir } from '../inspector/support';

/** A process the user started with --inspect: the test's own, not Leak Hunt's. */
async function startInspected(
  entry: string,
): Promise<{ child: ChildProcess; port: number; inspectorPort: number; wsUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', join(servicesDir, entry)], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines = createInterface({ input: child.stderr! });
  let wsUrl = '';
  for await (const line of lines) {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (match) {
      wsUrl = match[1]!;
      break;
    }
  }
  child.stderr!.resume();
  assert.ok(wsUrl, 'the inspector URL was printed');
  await waitForPort(port);
  return { child, port, inspectorPort: Number(new URL(wsUrl).port), wsUrl };
}

async function waitForPort(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}

async function stopInspected(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

test('check --attach on a steady process: no leak, and the process keeps running', async () => {
  const { child, port, inspectorPort } = await startInspected('steady.mjs');
  try {
    const io = captureIo();
    const code = await runCli(
      [
        'check',
        ...['--attach', String(inspectorPort), '--url', `http://127.0.0.1:${port}`],
        ...['--request', 'GET /x/{n}', '--count', '800', '--warmup', '100', '--json'],
      ],
      io,
    );
    assert.equal(code, 0, io.stderr.join('\n'));
    const report = JSON.parse(io.stdout.join('\n')) as HuntReport;
    assert.equal(report.verdict, 'no-leak', report.reason);
    assert.equal(report.ladder.length, 4);
    // Not ours: still running and serving after Leak Hunt detached.
    assert.equal(child.exitCode, null);
    assert.equal(child.signalCode, null);
    assert.equal((await fetch(`http://127.0.0.1:${port}/after`)).status, 200);
  } finally {
    await stopInspected(child);
  }
});

test('an attached process that ends stops the work with an InspectorError', async () => {
  const { child, port, wsUrl } = await startInspected('steady.mjs');
  try {
    await assert.rejects(
      withAttachedRig(
        { inspector: { url: wsUrl }, url: `http://127.0.0.1:${port}` },
        async (rig) => {
          await rig.load([{ service: 'app', method: 'GET', path: '/' }], 10, 0);
          child.kill('SIGKILL');
          await rig.guard(new Promise(() => undefined));
        },
      ),
      (error: unknown) => error instanceof InspectorError,
    );
  } finally {
    await stopInspected(child);
  }
});

test('a load target or an inspector off this machine is refused before anything runs', async () => {
  const io = captureIo();
  const request = ['--request', 'GET /x'];
  for (const args of [
    ['--attach', '9229', '--url', 'http://10.1.2.3:3000', ...request],
    ['--attach', '9229', '--url', 'https://127.0.0.1:3000', ...request],
    ['--attach', 'ws://192.168.1.2:9229/abc', '--url', 'http://127.0.0.1:3000', ...request],
    ['--attach', 'example.com:9229', '--url', 'http://127.0.0.1:3000', ...request],
  ]) {
    const values: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2)
      values[args[i]!.slice(2)] = args[i] === '--request' ? [args[i + 1]] : args[i + 1];
    await assert.rejects(resolveTarget([], values, io), UsageError, args.join(' '));
  }
  // The same through the command line: exit 2, one line, nothing started.
  const cli = captureIo();
  const code = await runCli(
    ['hunt', '--attach', '9229', '--url', 'http://10.1.2.3:3000', ...request],
    cli,
  );
  assert.equal(code, 2);
  assert.equal(cli.stderr.length, 1);
  // And the rig itself refuses, for callers that are not the CLI.
  await assert.rejects(
    withAttachedRig({ inspector: { port: 9229 }, url: 'http://10.1.2.3:3000' }, () =>
      Promise.resolve(),
    ),
    NonLoopbackTargetError,
  );
  await assert.rejects(
    withAttachedRig(
      { inspector: { url: 'ws://10.1.2.3:9229/abc' }, url: 'http://127.0.0.1:3000' },
      () => Promise.resolve(),
    ),
    InspectorError,
  );
});
