import * as vscode from 'vscode';
import { runTests } from '../../exercises/runner';
import { formatBytes } from '../../common/format';
import { everyExerciseCheck } from '../../exercises/leaks';
import { checkApp } from '../../hunt/app';
import type { HuntReport } from '../../hunt/types';
import { workerDiff } from '../explorer/heapAnalysis';
import {
  TestEventParser,
  type TestLocation,
  type TestResult,
  type TestTotals,
} from '../../exercises/testReport';
import { DisposableStore } from '../disposables';
import { registerCommand } from '../commands';
import type { WorkspaceExercise } from '../exercises/library';
import { bundledTypeScript } from '../exercises/setup';
import type { ExtensionServices } from '../services';
import { readSettings } from '../settings';
import { ensureTrusted } from '../trust';

const LEAK_CHECK_ID = 'leak-check';

interface RunOutcome {
  tests?: TestTotals;
  leakCheck?: HuntReport;
  /** Why the leak check reached no verdict (a service did not start, a crash...). */
  leakCheckError?: string;
}
const TESTS_ID = 'tests';

function toLocation(location: TestLocation | undefined): vscode.Location | undefined {
  if (!location) return undefined;
  return new vscode.Location(
    vscode.Uri.file(location.file),
    new vscode.Position(Math.max(0, location.line - 1), Math.max(0, location.column - 1)),
  );
}

/**
 * The "Leak Hunt" test controller: the open exercise's own tests, one item per test as node's
 * runner reports them, plus a "Leak check" item that runs the count-based verdict. Both green
 * marks the exercise solved.
 */
export class ExerciseTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('leakHunt', 'Leak Hunt');
  private readonly subscriptions = new DisposableStore();

  constructor(private readonly services: ExtensionServices) {
    const run = this.controller.createRunProfile(
      'Run',
      vscode.TestRunProfileKind.Run,
      async (request, token) => void (await this.run(request, token)),
      true,
    );
    this.subscriptions.addAll(
      run,
      services.currentExercise.onDidChange((current) => this.populate(current)),
    );
    this.populate(services.currentExercise.value);
  }

  private populate(current: WorkspaceExercise | undefined): void {
    this.controller.items.replace([]);
    if (!current) return;
    const tests = this.controller.createTestItem(
      TESTS_ID,
      `${current.exercise.manifest.title}: tests`,
    );
    tests.description = current.exercise.manifest.tests.command;
    const leak = this.controller.createTestItem(LEAK_CHECK_ID, 'Leak check');
    leak.description = `${current.exercise.manifest.check.service}: under ${current.exercise.manifest.check.thresholdBytesPerRequest} B per request`;
    this.controller.items.replace([tests, leak]);
  }

  /** Runs the leak check alone, as a test run the Testing view shows. */
  runLeakCheck(): Promise<RunOutcome> {
    return this.runItem(LEAK_CHECK_ID);
  }

  /** Runs the exercise's own tests, as the Testing view's run button does. */
  async runExerciseTests(): Promise<TestTotals | undefined> {
    return (await this.runItem(TESTS_ID)).tests;
  }

  private async runItem(id: string): Promise<RunOutcome> {
    const item = this.controller.items.get(id);
    if (!item) throw new Error('This workspace holds no Leak Hunt exercise. Open one first.');
    const source = new vscode.CancellationTokenSource();
    try {
      return await this.run(new vscode.TestRunRequest([item]), source.token);
    } finally {
      source.dispose();
    }
  }

  private async run(
    request: vscode.TestRunRequest,
    token: vscode.CancellationToken,
  ): Promise<RunOutcome> {
    const current = this.services.currentExercise.value;
    if (!current || !(await ensureTrusted('run the exercise tests'))) return {};
    if (!(await this.services.consent.allows(current.exercise))) return {};
    const wanted = (id: string): boolean =>
      !request.exclude?.some((item) => item.id === id) &&
      (!request.include ||
        request.include.some((item) => item.id === id || item.id.startsWith(`${id}/`)));
    const run = this.controller.createTestRun(request, current.exercise.manifest.title);
    const code = this.services.runs.begin(token);
    const outcome: RunOutcome = {};
    try {
      const testsItem = this.controller.items.get(TESTS_ID);
      if (testsItem && wanted(TESTS_ID))
        outcome.tests = await this.runTests(current, testsItem, run, code.signal);
      const leakItem = this.controller.items.get(LEAK_CHECK_ID);
      if (leakItem && wanted(LEAK_CHECK_ID) && !code.signal.aborted)
        Object.assign(outcome, await this.runCheck(current, leakItem, run, code.signal));
    } finally {
      code.end();
      run.end();
    }
    return outcome;
  }

  private async runTests(
    current: WorkspaceExercise,
    root: vscode.TestItem,
    run: vscode.TestRun,
    signal: AbortSignal,
  ): Promise<TestTotals | undefined> {
    const { manifest } = current.exercise;
    run.started(root);
    const items = new Map<string, vscode.TestItem>();
    const itemFor = (path: string[]): vscode.TestItem => {
      const key = path.join('\u0000');
      let item = items.get(key);
      if (!item) {
        const parent = path.length > 1 ? itemFor(path.slice(0, -1)) : root;
        item = this.controller.createTestItem(
          `${TESTS_ID}/${path.join('/')}`,
          path[path.length - 1]!,
        );
        parent.children.add(item);
        items.set(key, item);
      }
      return item;
    };
    root.children.replace([]);
    const parser = new TestEventParser({
      onStart: (path) => run.started(itemFor(path)),
      onResult: (result) => this.report(run, itemFor(result.path), result),
      onOutput: (line) => run.appendOutput(`${line}\r\n`),
    });
    const started = Date.now();
    const result = await runTests(manifest, current.workspaceDir, {
      nodePath: readSettings().nodePath,
      typescriptPath: bundledTypeScript(),
      // Leak Hunt's reporter is what the parser reads; asked for through NODE_OPTIONS so the manifest's command stays as written.
      env: parser.env(process.env),
      signal,
      onOutput: (text) => parser.write(text),
    });
    const report = parser.end();
    const { passed, failed, skipped } = report.totals;
    if (result.aborted) {
      run.skipped(root);
      return undefined;
    }
    // A run that exited non-zero failed even when no single test did (e.g. a file failed to load).
    const totals = {
      ...report.totals,
      failed: result.exitCode === 0 ? failed : Math.max(failed, 1),
    };
    if (totals.failed === 0) run.passed(root, Date.now() - started);
    else {
      const why = result.timedOut
        ? 'The tests timed out.'
        : failed
          ? `${failed} test(s) failed.`
          : `The test command exited with code ${result.exitCode}${report.reporterSeen ? '' : ' before reporting any test'}.`;
      run.failed(
        root,
        new vscode.TestMessage(`${why}\n\n${report.output.slice(-20).join('\n')}`),
        Date.now() - started,
      );
    }
    await this.services.progress.testRun(manifest.id, { passed, skipped, failed: totals.failed });
    return totals;
  }

  private report(run: vscode.TestRun, item: vscode.TestItem, result: TestResult): void {
    item.range = result.location ? toLocation(result.location)?.range : item.range;
    switch (result.status) {
      case 'passed':
        run.passed(item, result.durationMs);
        break;
      case 'skipped':
      case 'todo':
        run.skipped(item);
        break;
      case 'failed': {
        const message =
          result.expected !== undefined && result.actual !== undefined
            ? vscode.TestMessage.diff(result.message ?? 'failed', result.expected, result.actual)
            : new vscode.TestMessage(result.message ?? 'failed');
        message.location = toLocation(result.errorLocation ?? result.location);
        run.failed(item, message, result.durationMs);
        break;
      }
    }
  }

  private async runCheck(
    current: WorkspaceExercise,
    item: vscode.TestItem,
    run: vscode.TestRun,
    signal: AbortSignal,
  ): Promise<Pick<RunOutcome, 'leakCheck' | 'leakCheckError'>> {
    const { manifest } = current.exercise;
    run.started(item);
    const started = Date.now();
    try {
      // Every check the exercise declares (a leak's own, too): leak if any says leak.
      const result = await everyExerciseCheck((options) =>
        checkApp({ ...options, diff: workerDiff(this.services.heap) }),
      )({
        appDir: current.workspaceDir,
        manifest,
        nodePath: readSettings().nodePath,
        signal,
        onEvent: (event) => run.appendOutput(`${event.message}\r\n`, undefined, item),
      });
      const ladder = result.ladder
        .map((step) => `  after ${step.requests} requests: ${formatBytes(step.usedHeap)}`)
        .join('\n');
      const surviving = result.evidence.survivingBytesPerRequest ?? result.bytesPerRequest;
      const summary = `${result.service}: ${formatBytes(surviving)} per request survives (threshold ${formatBytes(result.thresholdBytesPerRequest)})`;
      const details = `${result.reason}${result.advice ? `\n${result.advice.text}` : ''}\n${ladder}`;
      if (result.verdict === 'no-leak') run.passed(item, Date.now() - started);
      else
        run.failed(
          item,
          new vscode.TestMessage(
            `${result.verdict === 'leak' ? 'Still leaking.' : 'No verdict yet.'} ${summary}\n${details}`,
          ),
          Date.now() - started,
        );
      item.description = summary;
      await this.services.progress.leakCheckRun(manifest.id, {
        verdict: result.verdict,
        bytesPerRequest: surviving,
      });
      return { leakCheck: result };
    } catch (error) {
      if (signal.aborted) {
        run.skipped(item);
        return {};
      }
      const message = error instanceof Error ? error.message : String(error);
      this.services.log.error('tests', 'The leak check reached no verdict', error);
      await this.services.progress.leakCheckRun(manifest.id, { verdict: 'error' });
      run.errored(item, new vscode.TestMessage(message), Date.now() - started);
      return { leakCheckError: message };
    }
  }

  dispose(): void {
    this.subscriptions.dispose();
    this.controller.dispose();
  }
}

export function registerTesting(services: ExtensionServices): ExerciseTests {
  const tests = new ExerciseTests(services);
  services.context.subscriptions.push(
    tests,
    registerCommand(services.log, 'leakHunt.runLeakCheck', async () => {
      const { leakCheck: result, leakCheckError } = await tests.runLeakCheck();
      if (leakCheckError) {
        const choice = await vscode.window.showErrorMessage(
          `The leak check reached no verdict: ${leakCheckError}`,
          'Show Log',
          'Open Test Results',
        );
        if (choice === 'Show Log') services.log.show();
        if (choice === 'Open Test Results')
          await vscode.commands.executeCommand('workbench.panel.testResults.view.focus');
      }
      if (result) {
        const surviving = result.evidence.survivingBytesPerRequest ?? result.bytesPerRequest;
        const said = { leak: 'still leaking', 'no-leak': 'no leak', inconclusive: 'inconclusive' };
        const text = `Leak check: ${said[result.verdict]} (${formatBytes(surviving)} per request survives in ${result.service}).${result.advice ? ` ${result.advice.text}` : ''}`;
        if (result.verdict !== 'no-leak') void vscode.window.showWarningMessage(text);
        else void vscode.window.showInformationMessage(text);
      }
      return result?.verdict;
    }),
  );
  return tests;
}
