import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Exercise } from '../../exercises/exercise';
import { materialiseExercise, resetExercise } from '../../exercises/workspace';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';
import { readSettings } from '../settings';
import { ensureTrusted } from '../trust';
import { freshFolder } from './destination';
import { runExerciseSetup } from './setup';

/** Arguments of `leakHunt.openExercise`; all optional, so tests and links can skip the dialogs. */
export interface OpenExerciseArgs {
  setId?: string;
  exerciseId?: string;
  /** Folder to create the exercise in (must be empty or missing). */
  destination?: string;
  /**
   * false: no question about the folder; a fresh one under `leakHunt.exercisesFolder` (what
   * "Open" in the question picks).
   */
  confirm?: boolean;
  /** What to do with the folder afterwards; by default, ask unless it is already open. */
  open?: 'newWindow' | 'currentWindow' | 'none';
}

export function registerExerciseCommands(services: ExtensionServices): void {
  const { context } = services;
  context.subscriptions.push(
    registerCommand(services.log, 'leakHunt.openExercise', (args) =>
      openExercise(services, args ?? {}),
    ),
    registerCommand(services.log, 'leakHunt.resetExercise', (args) =>
      resetCurrentExercise(services, args?.confirm ?? true),
    ),
    registerCommand(services.log, 'leakHunt.showScenario', () => showScenario(services)),
  );
}

async function pickExercise(
  services: ExtensionServices,
  args: OpenExerciseArgs,
): Promise<{ setId: string; exercise: Exercise } | undefined> {
  const sets = await services.library.sets();
  if (args.exerciseId) {
    for (const set of sets) {
      if (args.setId && set.id !== args.setId) continue;
      const exercise = set.catalog?.exercises.find((e) => e.manifest.id === args.exerciseId);
      if (exercise) return { setId: set.id, exercise };
    }
    throw new Error(
      `No exercise '${args.exerciseId}'${args.setId ? ` in set '${args.setId}'` : ''}. Import its pack first, or check the id.`,
    );
  }
  type Item = vscode.QuickPickItem & { setId?: string; exercise?: Exercise };
  const items: Item[] = [];
  for (const set of sets) {
    if (!set.catalog) continue;
    items.push({ label: set.catalog.set.name, kind: vscode.QuickPickItemKind.Separator });
    for (const exercise of set.catalog.exercises) {
      const { manifest } = exercise;
      items.push({
        label: manifest.title,
        description: `${manifest.difficulty} · ${manifest.minutes} min`,
        detail: manifest.summary,
        setId: set.id,
        exercise,
      });
    }
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Open Exercise',
    placeHolder: 'Pick an exercise',
    matchOnDetail: true,
  });
  return picked?.exercise && picked.setId
    ? { setId: picked.setId, exercise: picked.exercise }
    : undefined;
}

type OpenIn = NonNullable<OpenExerciseArgs['open']>;

function isOpenFolder(dir: string): boolean {
  return vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === dir) ?? false;
}

/**
 * One modal question before anything is copied: where, and in which window. A modal, so the
 * choice cannot slip into the notification centre while the files are copied. `undefined` for
 * `open` means "ask once the folder is ready" (after Choose Folder…).
 */
async function askPlacement(
  exercise: Exercise,
): Promise<{ destination: string; open?: OpenIn } | undefined> {
  const parent = readSettings().exercisesFolder;
  const suggested = freshFolder(parent, exercise.manifest.id);
  const here = isOpenFolder(suggested);
  const buttons = here
    ? ['Open', 'Choose Folder…']
    : ['Open', 'Open in New Window', 'Choose Folder…'];
  const choice = await vscode.window.showInformationMessage(
    `Open "${exercise.manifest.title}" in ${suggested}?`,
    {
      modal: true,
      detail:
        'Leak Hunt copies the exercise there and opens the folder; the reference solution and hints stay with Leak Hunt. ' +
        'Leak Hunt runs the exercise\'s services from that folder, so the first time you start them VS Code asks whether you trust it: choose "Trust Folder & Continue".',
    },
    ...buttons,
  );
  if (choice === 'Open') return { destination: suggested, open: here ? 'none' : 'currentWindow' };
  if (choice === 'Open in New Window') return { destination: suggested, open: 'newWindow' };
  if (choice !== 'Choose Folder…') return undefined;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Create Exercise Here',
    title: 'Folder to create the exercise in',
    defaultUri: vscode.Uri.file(parent),
  });
  return picked?.[0]
    ? { destination: freshFolder(picked[0].fsPath, exercise.manifest.id) }
    : undefined;
}

/** Asked only when the folder was not chosen together with the window (a modal, see above). */
async function askWindow(title: string, destination: string): Promise<OpenIn> {
  const choice = await vscode.window.showInformationMessage(
    `${title} is ready in ${destination}.`,
    { modal: true, detail: 'Open the folder to start the exercise.' },
    'Open in This Window',
    'Open in New Window',
  );
  if (choice === 'Open in This Window') return 'currentWindow';
  return choice === 'Open in New Window' ? 'newWindow' : 'none';
}

async function openExercise(
  services: ExtensionServices,
  args: OpenExerciseArgs,
): Promise<string | undefined> {
  const picked = await pickExercise(services, args);
  if (!picked) return undefined;
  const { exercise, setId } = picked;
  const asked =
    args.destination === undefined && args.confirm !== false
      ? await askPlacement(exercise)
      : {
          destination:
            args.destination ?? freshFolder(readSettings().exercisesFolder, exercise.manifest.id),
        };
  if (!asked) return undefined;
  const { destination } = asked;
  const setup = exercise.manifest.setup;
  if (setup && !(await ensureTrusted('run the exercise setup'))) return undefined;
  // An imported pack's setup runs only once the user has seen its commands and allowed them.
  if (setup && !(await services.consent.allows(exercise))) return undefined;

  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Opening ${exercise.manifest.title}`,
      cancellable: true,
    },
    async (progress, token) => {
      progress.report({ message: 'copying files…' });
      await materialiseExercise(exercise, destination);
      await runExerciseSetup(exercise, destination, services, progress, token);
    },
  );
  await services.progress.exerciseOpened(setId, exercise.manifest.id, exercise.manifest.title);
  services.log.info('exercises', `Opened ${exercise.manifest.id} in ${destination}`);

  const alreadyOpen = isOpenFolder(destination);
  const open =
    args.open ??
    asked.open ??
    (alreadyOpen ? 'none' : await askWindow(exercise.manifest.title, destination));
  if (open !== 'none') {
    // The scenario is shown when Leak Hunt activates in the opened folder (first visit only).
    await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(destination), {
      forceNewWindow: open === 'newWindow',
    });
  } else if (alreadyOpen) {
    await services.currentExercise.detect();
    await showScenario(services);
  }
  return destination;
}

async function showScenario(services: ExtensionServices): Promise<void> {
  const current = services.currentExercise.value;
  if (!current) {
    void vscode.window
      .showInformationMessage(
        'This workspace holds no Leak Hunt exercise. Open one first.',
        'Open Exercise…',
      )
      .then((choice) => choice && vscode.commands.executeCommand('leakHunt.openExercise'));
    return;
  }
  const file = vscode.Uri.file(join(current.exercise.dir, current.exercise.manifest.scenario));
  await vscode.commands.executeCommand('markdown.showPreview', file);
}

async function resetCurrentExercise(services: ExtensionServices, confirm: boolean): Promise<void> {
  const current = services.currentExercise.value;
  if (!current) throw new Error('This workspace holds no Leak Hunt exercise to reset.');
  // The exercise's setup step runs again afterwards: that is running code.
  if (!(await ensureTrusted('reset the exercise'))) return;
  if (current.exercise.manifest.setup && !(await services.consent.allows(current.exercise))) return;
  if (confirm) {
    const choice = await vscode.window.showWarningMessage(
      `Reset "${current.exercise.manifest.title}" to its original files?`,
      {
        modal: true,
        detail: 'Files you changed are moved to .leakhunt/backups first, so nothing is lost.',
      },
      'Reset',
    );
    if (choice !== 'Reset') return;
  }
  // Nothing may run on the files while they are replaced.
  services.runs.cancelAll();
  await services.sessions.stop();
  await vscode.workspace.saveAll(false);
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Resetting ${current.exercise.manifest.title}`,
      cancellable: true,
    },
    async (progress, token) => {
      const reset = await resetExercise(current.workspaceDir, current.exercise);
      // Reset removes build output too, so a declared setup step runs again.
      await runExerciseSetup(current.exercise, current.workspaceDir, services, progress, token);
      return reset;
    },
  );
  const message = result.backupDir
    ? `Exercise reset. ${result.changed.length} changed file(s) were saved in ${result.backupDir}.`
    : 'Exercise reset. Nothing had changed.';
  void vscode.window.showInformationMessage(message);
}
