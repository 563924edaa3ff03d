import type { ParseArgsConfig } from 'node:util';

/** Where a command writes, and how it learns it should stop (Ctrl-C). */
export interface CliIo {
  out(text: string): void;
  /** Progress and diagnostics; never mixed into `--json` output on stdout. */
  err(text: string): void;
  signal: AbortSignal;
  cwd: string;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  description: string;
  /** Placeholder shown in help, e.g. `<file>`. */
  valueName?: string;
};

/**
 * What `leakhunt help` lists for a sub-command, known without loading it; `load` brings in the
 * command itself, so a run evaluates only the modules its command needs.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/** A `leakhunt` sub-command that describes itself, so `leakhunt help <command>` is generated from it. */
export interface CliCommand {
  /** Positional part of the usage line, e.g. `<baseline> <target> [<final>]`. */
  usage: string;
  options: Record<string, OptionSpec>;
  examples: string[];
  /**
   * Arguments after `--` are a command to run (`leakhunt hunt -- npm start`): they reach `run`
   * unparsed as `command`, not among the positionals.
   */
  takesCommand?: boolean;
  /** Returns the process exit code. Throw `UsageError` for bad input (exit 2, one line). */
  run(
    input: { positionals: string[]; values: Record<string, unknown>; command?: string[] },
    io: CliIo,
  ): Promise<number>;
}

/** Bad input from the user: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
