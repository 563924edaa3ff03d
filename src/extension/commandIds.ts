/**
 * Every command Leak Hunt contributes, with the arguments it accepts. The manifest's
 * `contributes.commands` is tested against `commandIds`, so a renamed command cannot silently
 * break a menu, a keybinding or a walkthrough step. Commands that open a dialog also take its
 * answer as an argument, so tests and links can drive them. No `vscode` import: unit tests read
 * this file.
 */
export interface CommandSignatures {
  'leakHunt.openExercise': (args?: {
    setId?: string;
    exerciseId?: string;
    destination?: string;
    confirm?: boolean;
    open?: 'newWindow' | 'currentWindow' | 'none';
  }) => string | undefined;
  'leakHunt.resetExercise': (args?: { confirm?: boolean }) => void;
  'leakHunt.showScenario': () => void;
  /**
   * Resolves to the names of the services started. `restart` (the prompt after a code change)
   * also runs the exercise's setup step again first, when it has one (a build).
   */
  'leakHunt.startServices': (args?: { restart?: boolean }) => string[] | undefined;
  'leakHunt.stopServices': () => void;
  'leakHunt.startLoad': (args?: { count?: number; rate?: number; concurrency?: number }) => unknown;
  'leakHunt.stopLoad': () => void;
  /** Resolves to the new snapshot's id. */
  'leakHunt.takeSnapshot': (args?: { service?: string; label?: string }) => string | undefined;
  'leakHunt.compareSnapshots': (args?: { baselineId?: string; targetId?: string }) => void;
  /** Resolves to the suspects of the three-snapshot hunt. */
  'leakHunt.findLeak': (args?: { service?: string; count?: number }) => unknown;
  /**
   * Resolves to the revealed hint's text. `leak` climbs that leak's ladder (1-based); without it
   * the learner picks a ladder when several have hints left, or (with `confirm: false`) the
   * first unfinished ladder is taken.
   */
  'leakHunt.revealNextHint': (args?: { confirm?: boolean; leak?: number }) => string | undefined;
  /** Resolves to the verdict. */
  'leakHunt.runLeakCheck': () => unknown;
  /**
   * Opens a solved exercise's debrief in the Markdown preview (the open exercise without
   * arguments); resolves to the preview's document URI, undefined when refused.
   */
  'leakHunt.showDebrief': (args?: { setId?: string; exerciseId?: string }) => string | undefined;
  'leakHunt.importPack': (file?: string) => string | undefined;
  /** Resolves to the files written. */
  'leakHunt.exportProgress': (folder?: string) => string[] | undefined;
  /** Argument: a path, or the URI the Explorer's context menu passes. */
  'leakHunt.openHeapSnapshot': (
    file?: string | { fsPath: string; scheme: string },
  ) => string | undefined;
  /** Argument: an inspector port or `ws://` URL on this machine. */
  'leakHunt.attach': (address?: string) => string[] | undefined;
  'leakHunt.openHeapExplorer': () => void;
  'leakHunt.refreshExercises': () => void;
  'leakHunt.showLog': () => void;
}

export type CommandId = keyof CommandSignatures;

const ids: { [K in CommandId]: true } = {
  'leakHunt.openExercise': true,
  'leakHunt.resetExercise': true,
  'leakHunt.showScenario': true,
  'leakHunt.startServices': true,
  'leakHunt.stopServices': true,
  'leakHunt.startLoad': true,
  'leakHunt.stopLoad': true,
  'leakHunt.takeSnapshot': true,
  'leakHunt.compareSnapshots': true,
  'leakHunt.findLeak': true,
  'leakHunt.revealNextHint': true,
  'leakHunt.runLeakCheck': true,
  'leakHunt.showDebrief': true,
  'leakHunt.importPack': true,
  'leakHunt.exportProgress': true,
  'leakHunt.openHeapSnapshot': true,
  'leakHunt.attach': true,
  'leakHunt.openHeapExplorer': true,
  'leakHunt.refreshExercises': true,
  'leakHunt.showLog': true,
};

/** The ids as a runtime list; the mapped type above makes a missing or extra id a type error. */
export const commandIds = Object.keys(ids) as CommandId[];
