import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fingerprintFiles, runOnChange } from '../../../src/learner/watch';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-watch-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('verify --watch reruns once per burst of saves to the exercise files, never for build output', async () => {
  mkdirSync(join(work, 'src'));
  writeFileSync(join(work, 'src', 'service.js'), 'v1');
  const controller = new AbortController();
  let runs = 0;
  const watching = runOnChange({
    dir: work,
    fingerprint: () => fingerprintFiles(work, ['src/service.js']),
    signal: controller.signal,
    debounceMs: 100,
    run: async () => {
      runs++;
      // What a build step or the tests write must not start the next run.
      mkdirSync(join(work, 'dist'), { recursive: true });
      writeFileSync(join(work, 'dist', 'service.js'), `built ${runs}`);
      await pause(50);
    },
  });
  await pause(500);
  assert.equal(runs, 1, 'the first run, and nothing for its own output');
  for (const text of ['v2', 'v3', 'v4']) writeFileSync(join(work, 'src', 'service.js'), text);
  await pause(700);
  assert.equal(runs, 2, 'one run for three quick saves');
  writeFileSync(join(work, 'src', 'service.js'), 'v4');
  await pause(500);
  assert.equal(runs, 2, 'a save that changes nothing');
  controller.abort();
  await watching;
});
