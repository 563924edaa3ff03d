import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LeakHuntApi } from '../../src/extension/api';
import type { SuspectsResult } from '../../src/extension/protocol';
import { applySolution } from '../../src/exercises/workspace';

/** The shim saves a workbench screenshot when a test logs this marker. */
function screenshot(label: string): void {
  console.log(`__screenshot__:${label}`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function measure(label: string, started: number): void {
  console.log(`[measure] ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

// One learner, one exercise, start to finish: each step builds on the one before.
suite('A learner hunts the leak in "User sessions"', () => {
  let api: LeakHuntApi;
  let workspace: string;
  let suspects: SuspectsResult;

  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test window has a workspace folder');
    workspace = folder.uri.fsPath;
    const extension = vscode.extensions.getExtension<LeakHuntApi>('leak-hunt.leak-hunt');
    assert.ok(extension);
    api = await extension.activate();
    assert.ok(api?.services, 'activate returns the Leak Hunt API');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('leakHunt.stopServices');
  });

  test('opens the exercise into the workspace and reads the scenario', async () => {
    const destination = await vscode.commands.executeCommand<string>('leakHunt.openExercise', {
      exerciseId: 'user-sessions',
      destination: workspace,
      open: 'none',
    });
    assert.equal(destination, workspace);
    assert.equal(api.services.currentExercise.value?.exercise.manifest.id, 'user-sessions');
    await vscode.commands.executeCommand('workbench.view.extension.leakHunt');
    await pause(1500);
    screenshot('1-opened');
  });

  test('starts the services under the inspector', async () => {
    const names = await vscode.commands.executeCommand<string[]>('leakHunt.startServices');
    assert.deepEqual([...(names ?? [])].sort(), ['catalogue', 'user', 'web']);
    await pause(1500);
    screenshot('2-services');
  });

  test('drives load and sees memory climb', async () => {
    const started = performance.now();
    await vscode.commands.executeCommand('leakHunt.startLoad', { count: 1500 });
    measure('load of 1500 requests', started);
    await pause(1200);
    const user = api.services.sessions.current?.serviceState('user');
    assert.ok(user && user.samples.length > 0, 'the user service was sampled');
    screenshot('3-load');
  });

  test('Find Leak names the planted cache as the first suspect', async () => {
    // The hunt captures three snapshots through this thread and diffs them in the worker:
    // how long is the extension host's event loop held up meanwhile?
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const result = await vscode.commands.executeCommand<SuspectsResult>('leakHunt.findLeak', {
      service: 'user',
      count: 1000,
    });
    measure('find leak', started);
    delay.disable();
    console.log(
      `[measure] extension host event-loop delay during find leak: p50 ${(delay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms`,
    );
    assert.ok(result && result.suspects.length > 0, 'there are suspects');
    suspects = result;
    const first = result.suspects[0]!;
    console.log(
      `[result] first suspect: ${first.name} ×${first.count} via ${first.path.join(' → ')}`,
    );
    assert.ok(
      first.path.some((step) => step.includes('activeSessionsCache')),
      `first suspect's path names activeSessionsCache: ${first.path.join(' → ')}`,
    );
    await pause(2000);
    screenshot('4-suspects');
  });

  test('Go to source lands on the guilty line', async () => {
    const location = suspects.suspects[0]!.location;
    assert.ok(location, 'the first suspect has a source location');
    const editor = await api.openSource(location);
    assert.ok(editor, 'an editor opened');
    assert.match(editor.document.uri.fsPath, /user[\\/]service\.js$/);
    const line = editor.document.lineAt(editor.selection.active.line).text;
    console.log(
      `[result] go to source: ${editor.document.uri.fsPath}:${location.line}: ${line.trim()}`,
    );
    // The line that allocates the session record or the one that stores it in the cache.
    assert.match(line, /activeSessionsCache|sessionRecord/);
    await pause(1000);
    screenshot('5-source');
  });

  test('applies the reference fix, and the tests and the leak check pass', async () => {
    await vscode.commands.executeCommand('leakHunt.stopServices');
    const exercise = api.services.currentExercise.value!.exercise;
    await applySolution(exercise, workspace);
    let started = performance.now();
    const totals = await api.runExerciseTests();
    measure('exercise tests', started);
    assert.ok(totals, 'the tests ran');
    assert.equal(totals.failed, 0, `no test fails with the fix (${JSON.stringify(totals)})`);
    assert.ok(totals.passed > 0);
    started = performance.now();
    const verdict = await vscode.commands.executeCommand<string>('leakHunt.runLeakCheck');
    measure('leak check', started);
    assert.equal(verdict, 'no-leak');
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    await pause(1500);
    screenshot('6-green');
  });

  test('the exercise is marked solved and the progress export contains it', async () => {
    assert.equal(api.services.progress.statusOf('exercises', 'user-sessions'), 'solved');
    const files = await vscode.commands.executeCommand<string[]>(
      'leakHunt.exportProgress',
      join(workspace, '.leakhunt', 'export'),
    );
    assert.ok(files && files.length === 2);
    const exported = JSON.parse(
      await readFile(
        files.find((f) => f.endsWith('.json'))!,
        'utf8',
      ),
    ) as {
      exercises: { exerciseId: string; solved?: string; snapshots: string[] }[];
    };
    const record = exported.exercises.find((e) => e.exerciseId === 'user-sessions');
    assert.ok(record?.solved, 'the export records the exercise as solved');
    assert.ok(record.snapshots.length >= 3, 'and the snapshots taken');
    const csv = await readFile(
      files.find((f) => f.endsWith('.csv'))!,
      'utf8',
    );
    assert.match(csv, /user-sessions/);
    await vscode.commands.executeCommand('workbench.view.extension.leakHunt');
    await pause(1200);
    screenshot('7-solved');
  });
});
