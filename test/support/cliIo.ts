import type { CliIo } from '../../src/cli/command';

/** A `CliIo` that records what a command prints, for tests that run `runCli` in-process. */
export function captureIo(
  options: { cwd?: string; signal?: AbortSignal } = {},
): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    signal: options.signal ?? new AbortController().signal,
    cwd: options.cwd ?? process.cwd(),
  };
}
