import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { runCli } from '../../../src/cli/main';
import { builtInExercisesDir } from '../../../src/common/packageRoot';
import { loadExercise } from '../../../src/exercises/exercise';
import { applySolution } from '../../../src/exercises/workspace';
import type { AutogradingResult } from '../../../src/learner/gradeFormats';
import { captureIo } from '../../support/cliIo';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-grade-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs `leakhunt grade` as the classroom workflow does, with a step output file. */
async function grade(workspace: string, name: string) {
  const outputFile = join(work, `${name}.github-output`);
  const junit = join(work, `${name}.xml`);
  const previous = process.env.GITHUB_OUTPUT;
  process.env.GITHUB_OUTPUT = outputFile;
  const io = captureIo({ cwd: work });
  try {
    const code = await runCli(['grade', workspace, '--autograding', '--junit', junit], io);
    const output = readFileSync(outputFile, 'utf8');
    const encoded = /^result=(.*)$/m.exec(output)?.[1] ?? '';
    const result = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as AutogradingResult;
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(junit, 'utf8')) as {
      testsuites: { '@_tests': string; '@_failures': string; '@_errors': string };
    };
    return { code, io, result, xml };
  } finally {
    if (previous === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = previous;
  }
}

test('grade fails a pristine user-sessions workspace and passes a solved one', async () => {
  const exercise = await loadExercise(join(builtInExercisesDir(), 'user-sessions'));
  const pristine = join(work, 'pristine');
  const solved = join(work, 'solved');
  assert.equal(await runCli(['open', 'user-sessions', pristine], captureIo()), 0);
  assert.equal(await runCli(['open', 'user-sessions', solved], captureIo()), 0);
  await applySolution(exercise, solved);

  const failing = await grade(pristine, 'pristine');
  assert.equal(failing.code, 1, failing.io.stderr.join('\n'));
  assert.equal(failing.result.status, 'fail');
  const check = failing.result.tests.at(-1)!;
  assert.match(check.name, /^leak check/);
  assert.equal(check.status, 'fail', check.message ?? '');
  assert.ok(failing.result.tests.some((t) => t.name !== check.name && t.status === 'fail'));
  assert.ok(Number(failing.xml.testsuites['@_failures']) >= 2);
  assert.match(failing.io.stdout.join('\n'), /FAIL .*leak check/);

  const passing = await grade(solved, 'solved');
  assert.equal(passing.code, 0, passing.io.stdout.join('\n'));
  assert.equal(passing.result.status, 'pass');
  const tests = passing.result.tests.slice(0, -1);
  assert.ok(tests.length >= 2, 'one result per test');
  // The check is worth as much as the tests together, so full marks are twice the tests.
  assert.equal(passing.result.max_score, tests.length * 2);
  assert.equal(
    passing.result.tests.reduce((sum, t) => sum + t.score, 0),
    passing.result.max_score,
  );
  assert.equal(passing.xml.testsuites['@_failures'], '0');
  assert.equal(passing.xml.testsuites['@_errors'], '0');
});
