import { basename, dirname, isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import { readCatalog } from '../../exercises/catalog';
import {
  commandLines,
  describeOrigin,
  exerciseCommands,
  originOfExercise,
  type PackOrigin,
} from '../../exercises/consent';
import type { Exercise } from '../../exercises/exercise';
import { sha256 } from '../../exercises/files';
import type { Logger } from '../logger';

/** What the user is asked to allow: every command of every exercise in one pack version. */
export interface ConsentRequest {
  origin: PackOrigin;
  /** Per exercise of the pack, the lines `commandLines` gives. */
  exercises: { id: string; title: string; commands: string[] }[];
}

/** Asks the user; resolves to true when they allow the pack's commands. */
export type ConsentPrompt = (request: ConsentRequest) => Promise<boolean>;

/** globalState key: packs (by sha256) whose commands the user allowed, with what and when. */
const ALLOWED_PACKS_KEY = 'leakHunt.allowedPacks';

interface AllowedPack {
  set: string;
  version: string;
  at: string;
}

const ALLOW = 'Allow and Run';

/** The modal: the pack, then each exercise's commands; anything but the button holds them. */
async function askInModal(request: ConsentRequest): Promise<boolean> {
  const detail = [
    'Nothing from this pack has run. These are the commands its exercises run on this machine:',
    '',
    ...request.exercises.flatMap((e) => [
      `${e.title} (${e.id}):`,
      ...e.commands.map((c) => `  ${c}`),
      '',
    ]),
    'Allow them only if you trust the pack. Leak Hunt asks again when the pack changes.',
  ].join('\n');
  const choice = await vscode.window.showWarningMessage(
    `Run commands from ${describeOrigin(request.origin)}?`,
    { modal: true, detail },
    ALLOW,
  );
  return choice === ALLOW;
}

/**
 * Holds an imported pack's commands until the user has seen them and agreed, once per pack
 * version (the pack's sha256, remembered in globalState). Exercises from the built-in set or the
 * user's own folders run as they are. The editor's gate in front of setup, tests and services.
 */
export class PackConsent {
  private prompt: ConsentPrompt = askInModal;

  constructor(
    private readonly state: vscode.Memento,
    /** Where imported packs live: a set there without an origin file is still foreign. */
    private readonly packsDir: string,
    private readonly log: Logger,
  ) {}

  /** True when the exercise may run its commands now; asks the user the first time for its pack. */
  async allows(exercise: Exercise): Promise<boolean> {
    const origin = await this.originOf(exercise);
    if (!origin) return true;
    const allowed = this.state.get<Record<string, AllowedPack>>(ALLOWED_PACKS_KEY, {});
    if (allowed[origin.packSha256]) return true;
    const yes = await this.prompt(await this.request(exercise, origin));
    this.log.info(
      'exercises',
      `${yes ? 'Allowed' : 'Held'} the commands of ${describeOrigin(origin)}`,
    );
    if (!yes) {
      void vscode.window.showInformationMessage(
        `Leak Hunt ran nothing from "${origin.set.name}": its commands were not allowed.`,
      );
      return false;
    }
    await this.state.update(ALLOWED_PACKS_KEY, {
      ...allowed,
      [origin.packSha256]: {
        set: origin.set.name,
        version: origin.set.version,
        at: new Date().toISOString(),
      },
    });
    return true;
  }

  /**
   * Answers with `prompt` instead of the modal while the returned disposable lives: the
   * non-interactive path integration tests take (a web workbench's modal cannot be clicked
   * from the extension host).
   */
  answerWith(prompt: ConsentPrompt): vscode.Disposable {
    this.prompt = prompt;
    return new vscode.Disposable(() => {
      if (this.prompt === prompt) this.prompt = askInModal;
    });
  }

  private async originOf(exercise: Exercise): Promise<PackOrigin | undefined> {
    const recorded = await originOfExercise(exercise);
    if (recorded) return recorded;
    const setDir = dirname(exercise.dir);
    const inPacks = relative(this.packsDir, setDir);
    if (inPacks === '' || inPacks.startsWith('..') || isAbsolute(inPacks)) return undefined;
    // Imported before packs recorded their origin: foreign all the same, keyed by its manifest.
    return {
      format: 'leakhunt-origin',
      formatVersion: 1,
      pack: basename(setDir),
      packSha256: sha256(JSON.stringify(exercise.manifest)),
      kind: 'graders',
      set: { name: basename(setDir), version: '?', author: '?' },
      unpackedAt: '',
    };
  }

  private async request(exercise: Exercise, origin: PackOrigin): Promise<ConsentRequest> {
    let exercises: Exercise[] = [exercise];
    try {
      exercises = (await readCatalog(dirname(exercise.dir))).exercises;
    } catch (error) {
      this.log.warn('exercises', `Cannot list the pack of ${exercise.dir}: ${String(error)}`);
    }
    return {
      origin,
      exercises: exercises.map((e) => ({
        id: e.manifest.id,
        title: e.manifest.title,
        commands: commandLines(exerciseCommands(e.manifest)),
      })),
    };
  }
}
