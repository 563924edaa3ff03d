import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/packageRoot';
import { descendants, killEach } from '../common/processTree';
import { watchdog } from '../common/watchdog';
import type { CommandSpec, ExerciseManifest } from './manifest';

/** How a setup or test command ended. */
export interface CommandResult {
  command: string;
  /** Exit code, or null when the process was killed (timeout, abort, signal). */
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  /** stdout and stderr interleaved; only the last 256 KiB are kept. */
  output: string;
  durationMs: number;
}

export interface RunOptions {
  /** Node binary used when the command starts with `node`; default the Node running Leak Hunt. */
  nodePath?: string;
  signal?: AbortSignal;
  /** Extra environment on top of this process's. */
  env?: Record<string, string>;
  /** Used when the manifest gives no `timeoutSeconds`. */
  defaultTimeoutSeconds?: number;
  /** Each chunk of output as it arrives (for a live terminal or progress log). */
  onOutput?: (text: string) => void;
}

export interface SetupOptions extends RunOptions {
  /** typescript's `lib/typescript.js`; default LEAKHUNT_TYPESCRIPT or Leak Hunt's own copy. */
  typescriptPath?: string;
}

const OUTPUT_LIMIT = 256 * 1024;

/** Splits a manifest command into words; single and double quotes group, no shell involved. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
  return words;
}

/**
 * Runs a manifest command in `cwd` without a shell, in its own process group so a timeout or an
 * abort stops its children too (`node --test` spawns one process per test file). The watchdog
 * kills that group if Leak Hunt dies meanwhile, even by SIGKILL.
 */
export function runCommand(
  spec: CommandSpec,
  cwd: string,
  options: RunOptions = {},
): Promise<CommandResult> {
  const [program, ...args] = splitCommand(spec.command);
  if (!program) return Promise.reject(new Error('empty command'));
  const executable = program === 'node' ? (options.nodePath ?? process.execPath) : program;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // A test runner above us must not capture our child's `node --test` as its own subtests.
  delete env.NODE_TEST_CONTEXT;
  const timeoutMs = (spec.timeoutSeconds ?? options.defaultTimeoutSeconds ?? 300) * 1000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let output = '';
    let timedOut = false;
    let aborted = false;
    const child = spawn(executable, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const unguard =
      child.pid !== undefined && process.platform !== 'win32'
        ? watchdog.guardGroup(child.pid)
        : () => undefined;
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null) return;
      // Helpers that left the group (spawned detached) are found while the leader lives.
      const family = descendants(child.pid);
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      killEach(family);
    };
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      options.onOutput?.(text);
      output = (output + text).slice(-OUTPUT_LIMIT);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.on('error', (error) => {
      clearTimeout(timer);
      unguard();
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new Error(`cannot run '${spec.command}' in ${cwd}: ${error.message}`, { cause: error }),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // The group may still hold grandchildren after the leader exits; stop them too.
      if (process.platform !== 'win32' && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already empty
        }
      }
      unguard();
      resolve({
        command: spec.command,
        exitCode: timedOut || aborted ? null : code,
        timedOut,
        aborted,
        output,
        durationMs: Date.now() - started,
      });
    });
  });
}

/**
 * A TypeScript compiler that setup steps can use offline: `lib/typescript.js` from
 * LEAKHUNT_TYPESCRIPT, else from Leak Hunt's own installation; undefined when neither exists.
 */
export function findTypeScript(explicit?: string): string | undefined {
  const candidates = [
    explicit,
    process.env.LEAKHUNT_TYPESCRIPT,
    join(packageRoot(), 'node_modules', 'typescript', 'lib', 'typescript.js'),
  ];
  return candidates.find((path): path is string => !!path && existsSync(path));
}

/**
 * Runs the manifest's setup step in `appDir`, with LEAKHUNT_TYPESCRIPT pointing at a compiler
 * when one is found. Resolves to undefined when the exercise declares no setup.
 */
export async function runSetup(
  manifest: ExerciseManifest,
  appDir: string,
  options: SetupOptions = {},
): Promise<CommandResult | undefined> {
  if (!manifest.setup) return undefined;
  const typescript = findTypeScript(options.typescriptPath);
  const env = { ...options.env, ...(typescript ? { LEAKHUNT_TYPESCRIPT: typescript } : {}) };
  return runCommand(manifest.setup, appDir, { defaultTimeoutSeconds: 120, ...options, env });
}

/** How a command ended, in a few words: `exit code 1`, `timed out`, `aborted`. */
export function describeExit(result: CommandResult): string {
  if (result.timedOut) return 'timed out';
  if (result.aborted) return 'aborted';
  return `exit code ${String(result.exitCode)}`;
}

/** The last `lines` lines of a command's output, where its error usually is. */
export function outputTail(result: CommandResult, lines = 15): string {
  return result.output.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs the manifest's test command in `appDir`; exit code 0 means the tests passed. */
export function runTests(
  manifest: ExerciseManifest,
  appDir: string,
  options: SetupOptions = {},
): Promise<CommandResult> {
  const typescript = findTypeScript(options.typescriptPath);
  const env = { ...options.env, ...(typescript ? { LEAKHUNT_TYPESCRIPT: typescript } : {}) };
  return runCommand(manifest.tests, appDir, { defaultTimeoutSeconds: 300, ...options, env });
}
