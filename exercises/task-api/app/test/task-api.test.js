// Functional and memory tests of the task API. They build src/ first, so they always test the
// code as it is now (one test file: node --test runs files in parallel and they would race
// on dist/).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, before, after } from 'node:test';
import { build } from '../tools/build.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

build();
const { createApp } = await import('../dist/app.js');

const tempDir = mkdtempSync(join(tmpdir(), 'task-api-test-'));
const app = createApp({ tempDir });
let base;

before(async () => {
  base = await listen(app.server);
});

after(async () => {
  agent.destroy();
  await close(app.server);
  await app.shutdown();
  rmSync(tempDir, { recursive: true, force: true });
});

const stats = async () => (await request(`${base}/stats`)).body;

describe('tasks', () => {
  test('search finds tasks by owner and answers a repeated search from the cache', async () => {
    const first = await request(`${base}/tasks/search?q=grace`);
    assert.equal(first.status, 200);
    assert.ok(first.body.length > 0);
    assert.ok(first.body.every((task) => task.owner === 'grace'));
    const hits = (await stats()).cacheHits;
    await request(`${base}/tasks/search?q=grace`);
    assert.equal((await stats()).cacheHits, hits + 1);
  });

  test('an update answers with the saved task; bad updates are refused', async () => {
    const saved = await request(`${base}/tasks/2`, { method: 'PATCH', body: { status: 'done' } });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.status, 'done');
    assert.equal(
      (await request(`${base}/tasks/2`, { method: 'PATCH', body: { status: 'lost' } })).status,
      400,
    );
    assert.equal(
      (await request(`${base}/tasks/9999`, { method: 'PATCH', body: { status: 'done' } })).status,
      404,
    );
  });

  test('a live client receives the update of a task saved while it waits', async () => {
    const open = (await stats()).liveConnections;
    const waiting = request(`${base}/live?client=watcher&timeoutMs=30000`);
    // Update only once the server holds the connection, however slow the machine is.
    while ((await stats()).liveConnections === open) await new Promise((r) => setTimeout(r, 10));
    await request(`${base}/tasks/3`, { method: 'PATCH', body: { status: 'in-progress' } });
    const { body } = await waiting;
    assert.ok(body.updates.some((task) => task.id === '3' && task.status === 'in-progress'));
  });

  test('scanning attachments leaves no temporary files and no open files behind', async () => {
    const clean = await request(`${base}/attachments/scan`, {
      method: 'POST',
      body: { note: 'a'.repeat(500) },
    });
    assert.equal(clean.status, 200);
    const infected = await request(`${base}/attachments/scan`, {
      method: 'POST',
      body: { note: 'EICAR test' },
    });
    assert.equal(infected.status, 422);
    assert.equal((await stats()).openFiles, 0);
    assert.deepEqual(readdirSync(tempDir), []);
  });
});

describe('memory', () => {
  const budget = 350;
  async function measure(t, name, send) {
    const perRequest = await bytesKeptPerRequest({ warmup: 500, count: 4000, send });
    t.diagnostic(`${name}: heap kept per request: ${Math.round(perRequest)} bytes`);
    assert.ok(perRequest < budget, `${name} kept ${Math.round(perRequest)} bytes per request`);
  }

  test('searching stays flat', (t) =>
    measure(t, 'search', (i) => request(`${base}/tasks/search?q=ada&_=${i}`)));

  test('updating tasks stays flat', (t) =>
    measure(t, 'updates', (i) =>
      request(`${base}/tasks/${1 + (i % 5)}`, { method: 'PATCH', body: { status: 'in-progress' } }),
    ));

  test('short-lived live connections stay flat', (t) =>
    measure(t, 'live', (i) => request(`${base}/live?client=c${i}&timeoutMs=0`)));

  // Scans cost file descriptors and disk as well as heap: count those too.
  test('many scans leave no open files and no temporary files', async () => {
    for (let i = 0; i < 200; i++)
      await request(`${base}/attachments/scan`, { method: 'POST', body: { note: `upload ${i}` } });
    assert.equal((await stats()).openFiles, 0, 'files left open');
    assert.equal(readdirSync(tempDir).length, 0, 'temporary files left behind');
  });
});
