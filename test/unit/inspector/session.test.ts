import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InspectorError, SnapshotError } from '../../../src/inspector/errors';
import { launchServices } from '../../../src/inspector/launch';
import { attach } from '../../../src/inspector/session';
import type { HeapSample } from '../../../src/inspector/types';
import { servicesDir } from './support';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'leakhunt-session-'));
}

test('samples carry used and total heap and the process RSS, as a stream', async () => {
  await using group = await launchServices({
    appDir: servicesDir,
    services: [{ name: 'steady', entry: 'steady.mjs' }],
  });
  const session = group.service('steady').session;
  const one = await session.sample();
  assert.ok(one.usedHeap > 0 && one.totalHeap >= one.usedHeap);
  assert.ok(one.rss > one.totalHeap, 'RSS covers the whole process');
  // Buffers live outside the V8 heap: the sample reads them from the process itself.
  assert.equal(typeof one.arrayBuffers, 'number');
  assert.equal(typeof (await session.arrayBuffers()), 'number');
  const samples: HeapSample[] = [];
  await new Promise<void>((done) => {
    const off = session.onSample((sample) => {
      samples.push(sample);
      if (samples.length === 3) {
        off();
        session.stopSampling();
        done();
      }
    });
    session.startSampling(20);
  });
  assert.equal(samples.length, 3);
  assert.ok(samples[2]!.time >= samples[0]!.time);
});

test('a snapshot streams to a complete file and script ids resolve to the service file', async () => {
  const dir = await tempDir();
  try {
    await using group = await launchServices({
      appDir: servicesDir,
      services: [{ name: 'leaky', entry: 'leaky.mjs' }],
    });
    const session = group.service('leaky').session;
    await session.collectGarbage();
    let last = { done: 0, total: 0, bytesWritten: 0 };
    const file = join(dir, 'leaky.heapsnapshot');
    const { bytes } = await session.takeHeapSnapshot(file, { onProgress: (p) => (last = p) });
    const text = readFileSync(file, 'utf8');
    assert.equal(Buffer.byteLength(text), bytes);
    assert.equal(last.bytesWritten, bytes);
    assert.ok(last.total > 0 && last.done === last.total);
    const parsed = JSON.parse(text) as { snapshot: { node_count: number } };
    assert.ok(parsed.snapshot.node_count > 1000);
    assert.deepEqual(readdirSync(dir), ['leaky.heapsnapshot']);
    const resolve = session.scriptResolver();
    const files = Array.from({ length: 500 }, (_, id) => resolve(id)).filter(Boolean);
    assert.ok(files.includes(join(servicesDir, 'leaky.mjs')), 'the service file is in the map');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a snapshot into a folder that does not exist fails before V8 is asked', async () => {
  await using group = await launchServices({
    appDir: servicesDir,
    services: [{ name: 'steady', entry: 'steady.mjs' }],
  });
  const session = group.service('steady').session;
  let progressed = false;
  await assert.rejects(
    session.takeHeapSnapshot(join(tmpdir(), 'leakhunt-no-such-dir', 'x.heapsnapshot'), {
      onProgress: () => (progressed = true),
    }),
    (error: unknown) =>
      error instanceof SnapshotError && /cannot write .*ENOENT/.test(error.message),
  );
  assert.equal(progressed, false);
  assert.ok((await session.heapUsage()).usedHeap > 0, 'the session is still usable');
});

test('an inspector disconnect mid-snapshot removes the partial file and raises', async () => {
  const dir = await tempDir();
  try {
    await using group = await launchServices({
      appDir: servicesDir,
      services: [{ name: 'big', entry: 'big-heap.mjs' }],
    });
    const service = group.service('big');
    const file = join(dir, 'big.heapsnapshot');
    let killed = false;
    await assert.rejects(
      service.session.takeHeapSnapshot(file, {
        onProgress: (p) => {
          if (p.bytesWritten > 0 && !killed) {
            killed = true;
            process.kill(service.pid, 'SIGKILL');
          }
        },
      }),
      (error: unknown) =>
        error instanceof SnapshotError && /partial file was removed/.test(error.message),
    );
    assert.ok(killed, 'chunks had started to arrive');
    assert.deepEqual(readdirSync(dir), []);
    assert.equal((await service.exited).signal, 'SIGKILL');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an aborted snapshot removes its partial file and rejects with the abort reason', async () => {
  const dir = await tempDir();
  try {
    await using group = await launchServices({
      appDir: servicesDir,
      services: [{ name: 'big', entry: 'big-heap.mjs' }],
    });
    const controller = new AbortController();
    const reason = new Error('interrupted');
    await assert.rejects(
      group.service('big').session.takeHeapSnapshot(join(dir, 'big.heapsnapshot'), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesWritten > 0) controller.abort(reason);
        },
      }),
      (error) => error === reason,
    );
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('attach works by ws:// URL and by inspector port, and refuses non-loopback hosts', async () => {
  const child = spawn(
    process.execPath,
    ['--inspect=127.0.0.1:0', join(servicesDir, 'never-listens.mjs')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  try {
    const wsUrl = await new Promise<string>((found, reject) => {
      let text = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        text += chunk;
        const match = /(ws:\/\/\S+)\s/.exec(text);
        if (match) found(match[1]!);
      });
      child.once('exit', () => reject(new Error(text)));
    });
    const byUrl = await attach({ url: wsUrl });
    assert.equal(byUrl.pid, child.pid);
    assert.ok((await byUrl.heapUsage()).usedHeap > 0);
    await byUrl.close();
    const byPort = await attach({ port: Number(new URL(wsUrl).port) });
    assert.equal(byPort.pid, child.pid);
    assert.ok((await byPort.sample()).rss > 0);
    await byPort.close();
    await assert.rejects(attach({ url: 'ws://10.0.0.5:9229/abc' }), InspectorError);
    await assert.rejects(attach({ url: 'http://192.168.0.2:9229' }), InspectorError);
  } finally {
    child.kill('SIGKILL');
  }
});

test('closing the session mid-snapshot removes the partial file and settles disconnected', async () => {
  const dir = await tempDir();
  try {
    await using group = await launchServices({
      appDir: servicesDir,
      services: [{ name: 'big', entry: 'big-heap.mjs' }],
    });
    const session = group.service('big').session;
    let closing: Promise<void> | undefined;
    await assert.rejects(
      session.takeHeapSnapshot(join(dir, 'big.heapsnapshot'), {
        onProgress: (p) => {
          if (p.bytesWritten > 0) closing ??= session.close();
        },
      }),
      SnapshotError,
    );
    await closing;
    await session.disconnected;
    assert.deepEqual(readdirSync(dir), []);
    await assert.rejects(session.heapUsage());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
