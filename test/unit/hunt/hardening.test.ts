import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';
import type { ExerciseManifest } from '../../../src/exercises/manifest';
import { withCommandRig, withLaunchedServices, type HuntEvent } from '../../../src/hunt';
import { eventually, processesInGroup } from '../inspector/support';

const hardeningDir = join(packageRoot(), 'test', 'fixtures', 'hardening');
const node = process.execPath;

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-hardening-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a shell script start command dies with Leak Hunt killed by SIGKILL, server included', async () => {
  await withTempDir(async (launcherTmp) => {
    // serve.sh: the shell leads the group and the server is its child, no Node process leads it.
    const launcher = spawn(
      node,
      [join(__dirname, 'commandLauncherProcess.js'), hardeningDir, 'sh', 'serve.sh'],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: launcherTmp } },
    );
    let group = 0;
    try {
      const [line] = (await once(createInterface({ input: launcher.stdout }), 'line')) as [string];
      let pid: number;
      ({ pid, group } = JSON.parse(line) as { pid: number; group: number });
      assert.notEqual(pid, group, 'the server does not lead its group');
      assert.equal(processesInGroup(group).length, 2);
      launcher.kill('SIGKILL');
      await once(launcher, 'exit');
      await eventually(() => processesInGroup(group).length === 0, 8000);
      // The listen preload's folder goes too.
      await eventually(() => readdirSync(launcherTmp).length === 0, 2000);
    } finally {
      launcher.kill('SIGKILL');
      if (group > 0 && processesInGroup(group).length > 0) process.kill(-group, 'SIGKILL');
    }
  });
});

test('a start command that listens on every interface gets a warning in the hunt events', async () => {
  const events: HuntEvent[] = [];
  await withCommandRig(
    {
      command: [node, join(hardeningDir, 'every-interface.mjs')],
      cwd: hardeningDir,
      onEvent: (event) => events.push(event),
    },
    async () => undefined,
  );
  const warnings = events.filter((e) => e.message.startsWith('warning:'));
  assert.equal(warnings.length, 1, events.map((e) => e.message).join('\n'));
  assert.match(
    warnings[0]!.message,
    /^warning: service 'every-interface' listens on every interface/,
  );
});

test("launched services' warnings reach the hunt events", async () => {
  const manifest = {
    id: 'open',
    title: 'open',
    summary: 'open',
    difficulty: 'easy',
    minutes: 1,
    scenario: '',
    services: [{ name: 'open', entry: 'every-interface.mjs' }],
    load: { requests: [{ service: 'open', method: 'GET', path: '/' }] },
    hints: [],
    tests: { command: '' },
    check: { service: 'open', warmup: 1, step: 1, thresholdBytesPerRequest: 1000 },
    solution: '',
  } satisfies ExerciseManifest;
  const events: HuntEvent[] = [];
  await withLaunchedServices(
    { appDir: hardeningDir, manifest, onEvent: (event) => events.push(event) },
    async () => undefined,
  );
  assert.ok(
    events.some((e) => /^warning: service 'open' listens on every interface/.test(e.message)),
    events.map((e) => e.message).join('\n'),
  );
});
