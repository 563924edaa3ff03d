import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { toNative } from '../../exercises/files';
import type { Exercise } from '../../exercises/exercise';
import { registerCommand } from '../commands';
import type { ExtensionServices } from '../services';

/**
 * Debriefs are rendered in the Markdown preview from a read-only virtual document. A debrief may
 * come from an imported pack, so images are dropped first (in the preview they would load remote
 * URLs, telling a stranger who solved what) and so is raw HTML, which could carry them too.
 */
const DEBRIEF_SCHEME = 'leakhunt-debrief';

function withoutRemoteContent(markdown: string): string {
  return markdown.replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>\n]+>/g, '');
}

class DebriefContent implements vscode.TextDocumentContentProvider {
  /** Debrief texts by document path. */
  private readonly texts = new Map<string, string>();

  set(path: string, text: string): void {
    this.texts.set(path, text);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
}

/** Which exercise: the one named (the Exercises view's row) or the one open in the workspace. */
async function resolveExercise(
  services: ExtensionServices,
  args: { setId?: string; exerciseId?: string } | undefined,
): Promise<{ setId: string; exercise: Exercise } | undefined> {
  if (args?.setId && args.exerciseId) {
    const exercise = await services.library.find(args.setId, args.exerciseId);
    return exercise && { setId: args.setId, exercise };
  }
  const current = services.currentExercise.value;
  return current && { setId: current.marker.setId, exercise: current.exercise };
}

/** Opens the debrief of a solved exercise in the Markdown preview; refuses an unsolved one. */
async function showDebrief(
  services: ExtensionServices,
  content: DebriefContent,
  args: { setId?: string; exerciseId?: string } | undefined,
): Promise<string | undefined> {
  const found = await resolveExercise(services, args);
  if (!found)
    throw new Error('No exercise to show the debrief of: open one, or pick a solved one.');
  const { setId, exercise } = found;
  const { manifest } = exercise;
  if (manifest.debrief === undefined) {
    void vscode.window.showInformationMessage(`${manifest.title} has no debrief.`);
    return undefined;
  }
  if (services.progress.statusOf(setId, manifest.id) !== 'solved') {
    void vscode.window.showInformationMessage(
      `The debrief of ${manifest.title} opens once it is solved: the tests pass and the leak check says no leak.`,
    );
    return undefined;
  }
  const text = await readFile(toNative(exercise.dir, manifest.debrief), 'utf8');
  const uri = vscode.Uri.from({ scheme: DEBRIEF_SCHEME, path: `/${manifest.title} debrief.md` });
  content.set(uri.path, withoutRemoteContent(text));
  await vscode.commands.executeCommand('markdown.showPreview', uri);
  return uri.toString();
}

/**
 * The "Show Debrief" command (palette and the Exercises view's solved rows), and the debrief
 * opened once, by itself, when the open exercise turns solved.
 */
export function registerDebrief(services: ExtensionServices): void {
  const content = new DebriefContent();
  const shownOnSolve = new Set<string>();
  const openWhenSolved = (): void => {
    const current = services.currentExercise.value;
    if (!current) return;
    const { id } = current.exercise.manifest;
    const key = `${current.marker.setId}/${id}`;
    if (shownOnSolve.has(key) || !services.progress.solvedJustNow(current.marker.setId, id)) return;
    shownOnSolve.add(key);
    void showDebrief(services, content, { setId: current.marker.setId, exerciseId: id }).catch(
      (error: unknown) => services.log.error('exercises', 'Cannot show the debrief', error),
    );
  };
  services.context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(DEBRIEF_SCHEME, content),
    services.progress.onDidChange(openWhenSolved),
    registerCommand(services.log, 'leakHunt.showDebrief', (args) =>
      showDebrief(services, content, args),
    ),
  );
}
