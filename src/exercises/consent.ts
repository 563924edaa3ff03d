import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { printable } from '../common/text';
import type { Exercise } from './exercise';
import { sha256 } from './files';
import type { ExerciseManifest } from './manifest';

/**
 * Where an exercise came from, and what it would run. Commands inside a pack (setup, tests,
 * services with their node options and environment) are someone else's code: nothing runs them
 * before the user has seen them and agreed — `--allow-commands` on the command line, a modal in
 * the editor. Exercises without an origin file (the built-in set, an instructor's own folders)
 * are the user's own and run as they are.
 */

/** Who a pack is for: learners get no solutions, graders get everything. */
export type PackKind = 'learners' | 'graders';

/** Folder (in an unpacked set or a learner's workspace) holding Leak Hunt's own files. */
const LEAKHUNT_DIR = '.leakhunt';
const ORIGIN_FILE = 'origin.json';

/** `.leakhunt/origin.json`, written by `unpack` into the set it unpacks. */
export interface PackOrigin {
  format: 'leakhunt-origin';
  formatVersion: 1;
  /** The pack's file name, as it was unpacked. */
  pack: string;
  /** sha256 of the pack file: consent is given once per pack version, keyed by this. */
  packSha256: string;
  kind: PackKind;
  set: { name: string; version: string; author: string };
  unpackedAt: string;
}

/** The origin file of a set folder or a learner's workspace. */
export function originFile(dir: string): string {
  return join(dir, LEAKHUNT_DIR, ORIGIN_FILE);
}

/** Writes `origin` into `dir` (atomically: an unreadable origin would make the set look foreign anyway). */
export async function writeOrigin(dir: string, origin: PackOrigin): Promise<void> {
  const file = originFile(dir);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, `${JSON.stringify(origin, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * The origin recorded in `dir`, or undefined when there is none (the folder is the user's own).
 * A file that exists but cannot be read as an origin still marks the folder as foreign: its
 * content's hash stands in for the pack's, so consent is asked for it like for any pack.
 */
export async function readOrigin(dir: string): Promise<PackOrigin | undefined> {
  let text: string;
  try {
    text = await readFile(originFile(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    text = '';
  }
  try {
    const origin = JSON.parse(text) as PackOrigin;
    if (origin.format === 'leakhunt-origin' && typeof origin.packSha256 === 'string') return origin;
  } catch {
    // handled below
  }
  return {
    format: 'leakhunt-origin',
    formatVersion: 1,
    pack: '(unreadable origin file)',
    packSha256: sha256(text),
    kind: 'graders',
    set: { name: '(unknown)', version: '0.0.0', author: '(unknown)' },
    unpackedAt: '',
  };
}

/** The origin of an exercise: that of the set folder holding it. */
export function originOfExercise(exercise: Exercise): Promise<PackOrigin | undefined> {
  return readOrigin(dirname(exercise.dir));
}

/** One thing an exercise runs, as shown to the user before it runs. */
export interface ExerciseCommand {
  /** `setup`, `tests` or `service <name>`. */
  what: string;
  /** The command line, with a service's environment in front (`NAME=value node …`). */
  command: string;
}

function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Everything the exercise would run, in the order it would run it, made safe for a terminal. */
export function exerciseCommands(manifest: ExerciseManifest): ExerciseCommand[] {
  const commands: ExerciseCommand[] = [];
  if (manifest.setup) commands.push({ what: 'setup', command: printable(manifest.setup.command) });
  commands.push({ what: 'tests', command: printable(manifest.tests.command) });
  for (const service of manifest.services) {
    const env = Object.entries(service.env ?? {}).map(([k, v]) => `${k}=${quoteWord(v)}`);
    const words = [
      ...env,
      'node',
      ...(service.nodeArgs ?? []).map(quoteWord),
      quoteWord(service.entry),
      ...(service.args ?? []).map(quoteWord),
    ];
    commands.push({ what: `service ${service.name}`, command: printable(words.join(' ')) });
  }
  return commands;
}

/** The commands as aligned lines, for a terminal or a modal. */
export function commandLines(commands: readonly ExerciseCommand[]): string[] {
  const width = Math.max(...commands.map((c) => c.what.length)) + 1;
  return commands.map((c) => `${`${c.what}:`.padEnd(width + 1)}${c.command}`);
}

/** One line naming a pack, for messages. */
export function describeOrigin(origin: PackOrigin): string {
  return printable(
    `the pack ${origin.pack} ("${origin.set.name}" ${origin.set.version} by ${origin.set.author}, ` +
      `sha256 ${origin.packSha256.slice(0, 12)}…)`,
  );
}

/** A command line run on an exercise from a pack without `--allow-commands`. */
export class CommandsNotAllowedError extends Error {
  override name = 'CommandsNotAllowedError';
  readonly code = 'commands-not-allowed';

  constructor(
    readonly exerciseId: string,
    readonly origin: PackOrigin,
    readonly commands: ExerciseCommand[],
  ) {
    super(
      [
        `exercise '${printable(exerciseId)}' comes from ${describeOrigin(origin)}, and Leak Hunt ` +
          `runs nothing from a pack unasked. It would run:`,
        ...commandLines(commands).map((line) => `  ${line}`),
        'Read them; if you trust them, run the same command again with --allow-commands.',
      ].join('\n'),
    );
  }
}

/**
 * Throws `CommandsNotAllowedError` when the exercise comes from a pack (its set, or the learner's
 * workspace, has an origin file) and the user did not pass `--allow-commands`.
 */
export async function requireCommandsAllowed(
  exercise: Exercise,
  allowed: boolean,
  workspaceDir?: string,
): Promise<void> {
  if (allowed) return;
  const origin =
    (workspaceDir ? await readOrigin(workspaceDir) : undefined) ??
    (await originOfExercise(exercise));
  if (origin)
    throw new CommandsNotAllowedError(
      exercise.manifest.id,
      origin,
      exerciseCommands(exercise.manifest),
    );
}
