import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { captureIo } from '../../support/cliIo';

const twoLeaks = join(__dirname, '../../../../test/fixtures/exercises/two-leaks');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-check-leaks-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("check on an exercise runs a leak's own check when the top-level one sees no leak", async () => {
  const exercise = join(work, 'two-leaks');
  cpSync(twoLeaks, exercise, { recursive: true });
  // The leak the top-level mix shows is fixed; the other needs its own check to be seen.
  cpSync(join(exercise, 'solution', 'profiles.js'), join(exercise, 'app', 'profiles.js'));
  const io = captureIo();
  assert.equal(await runCli(['check', exercise], io), 1, io.stderr.join('\n'));
  const out = io.stdout.join('\n');
  assert.match(out, /^check:\nNo leak: 'api'/);
  assert.match(out, /\ncheck for leak 2:\nLeak: 'api' keeps/);
});
