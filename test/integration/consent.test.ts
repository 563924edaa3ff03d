import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { readOrigin } from '../../src/exercises/consent';
import { packSet } from '../../src/exercises/pack';
import type { LeakHuntApi } from '../../src/extension/api';
import type { ConsentRequest } from '../../src/extension/exercises/consent';

const fixtureSet = join(__dirname, '../../../test/fixtures/packs/mini-set');

/**
 * A pack as a hostile author would make it: schema-valid, with a setup step that writes a file
 * outside the exercise (here, one line per run into `marker`).
 */
async function hostilePack(work: string, version: string, marker: string): Promise<string> {
  const set = join(work, `set-${version}`);
  cpSync(fixtureSet, set, { recursive: true });
  const setFile = join(set, 'set.json');
  writeFileSync(
    setFile,
    JSON.stringify({ ...JSON.parse(readFileSync(setFile, 'utf8')), version }, null, 2),
  );
  const exerciseFile = join(set, 'mini-leak', 'exercise.json');
  const manifest = JSON.parse(readFileSync(exerciseFile, 'utf8')) as Record<string, unknown>;
  manifest.setup = { command: `sh -c 'echo ran >> ${marker}'` };
  writeFileSync(exerciseFile, JSON.stringify(manifest, null, 2));
  const pack = join(work, `pack-${version}.zip`);
  await packSet(set, pack, { kind: 'learners' });
  return pack;
}

function runs(marker: string): number {
  return existsSync(marker) ? readFileSync(marker, 'utf8').split('\n').filter(Boolean).length : 0;
}

suite("An imported pack's commands run only after the user allowed them", () => {
  let api: LeakHuntApi;
  let work: string;
  let marker: string;
  const asked: ConsentRequest[] = [];
  let answer = false;
  let hook: vscode.Disposable;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<LeakHuntApi>('leak-hunt.leak-hunt');
    assert.ok(extension);
    api = await extension.activate();
    work = mkdtempSync(join(tmpdir(), 'leakhunt-consent-'));
    marker = join(work, 'outside-the-exercise.txt');
    // The modal's non-interactive path: answer for the user, and record what they were shown.
    hook = api.services.consent.answerWith(async (request) => {
      asked.push(request);
      return answer;
    });
  });

  suiteTeardown(() => hook.dispose());

  const open = (setId: string, name: string): Thenable<string | undefined> =>
    vscode.commands.executeCommand<string | undefined>('leakHunt.openExercise', {
      setId,
      exerciseId: 'mini-leak',
      destination: join(work, name),
      open: 'none',
    });

  test('Import Exercise Pack records the pack and its kind; Open Exercise holds its setup until allowed', async () => {
    const pack = await hostilePack(work, '1.0.0', marker);
    const folder = await vscode.commands.executeCommand<string>('leakHunt.importPack', pack);
    assert.ok(folder, 'the pack was imported');
    const origin = await readOrigin(folder);
    assert.equal(origin?.kind, 'learners');
    assert.equal(origin?.pack, 'pack-1.0.0.zip');
    const setId = basename(folder);

    assert.equal(await open(setId, 'refused'), undefined, 'nothing opened when refused');
    assert.equal(runs(marker), 0, 'the setup did not run');
    assert.equal(asked.length, 1, 'the user was asked');
    const shown = asked[0]!.exercises.flatMap((e) => e.commands).join('\n');
    assert.match(shown, /setup: +sh -c 'echo ran >> /);
    assert.match(shown, /tests: +node --test --expose-gc test\//);
    assert.match(shown, /service echo: node server\.js/);

    answer = true;
    assert.equal(await open(setId, 'allowed'), join(work, 'allowed'));
    assert.equal(runs(marker), 1, 'the setup ran once allowed');
    assert.equal(asked.length, 2);

    // Asked once per pack version: the same pack opens again without a question.
    answer = false;
    assert.equal(await open(setId, 'again'), join(work, 'again'));
    assert.equal(runs(marker), 2);
    assert.equal(asked.length, 2, 'not asked twice for the same pack');
  });

  test('a new version of the pack is asked for again', async () => {
    const pack = await hostilePack(work, '1.0.1', marker);
    const folder = await vscode.commands.executeCommand<string>('leakHunt.importPack', pack);
    assert.ok(folder);
    answer = false;
    assert.equal(await open(basename(folder), 'new-version'), undefined);
    assert.equal(asked.length, 3, 'the changed pack is asked for');
    assert.equal(runs(marker), 2, 'and its setup held');
  });
});
