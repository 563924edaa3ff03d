import type * as vscode from 'vscode';
import type { SourceLocation } from './protocol';
import type { ExtensionServices } from './services';
import type { TestTotals } from '../exercises/testReport';

/**
 * What `activate` returns to other extensions and to the integration tests: the services, and
 * the two actions a person takes in the UI that have no command of their own ("Go to source"
 * in the Heap Explorer, the run button on the exercise's tests in the Testing view).
 */
export interface LeakHuntApi {
  readonly services: ExtensionServices;
  openSource(location: SourceLocation): Promise<vscode.TextEditor | undefined>;
  runExerciseTests(): Promise<TestTotals | undefined>;
}
