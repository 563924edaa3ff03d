/**
 * Every command Leak Hunt contributes, with the arguments it accepts. The manifest's
 * `contributes.commands` is tested against `commandIds`, so a renamed command cannot silently
 * break a menu, a keybinding or a walkthrough step. No `vscode` import: unit tests read this.
 */
export interface CommandSignatures {
  'leakHunt.showLog': () => void;
  'leakHunt.refreshExercises': () => void;
}

export type CommandId = keyof CommandSignatures;

const ids: { [K in CommandId]: true } = {
  'leakHunt.showLog': true,
  'leakHunt.refreshExercises': true,
};

/** The ids as a runtime list; the mapped type above makes a missing or extra id a type error. */
export const commandIds = Object.keys(ids) as CommandId[];
