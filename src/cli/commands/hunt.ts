import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { withReadyApp } from '../../exercises/appCopy';
import { loadExercise, type Exercise } from '../../exercises/exercise';
import { createLocationMapper } from '../../exercises/sourceLocation';
import type { ExerciseManifest, LoadRequest } from '../../exercises/manifest';
import { formatBytes, runHunt } from '../../inspector';
import { UsageError, type CliCommand, type CliIo, type OptionSpec } from '../command';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Options `hunt` and `check` share: what to run and how hard to drive it. */
export const targetOptions: Record<string, OptionSpec> = {
  entry: {
    type: 'string',
    valueName: '<file.js>',
    description:
      'Run this Node program (it must listen on process.env.PORT) instead of an exercise',
  },
  request: {
    type: 'string',
    multiple: true,
    valueName: '"<METHOD> <path> [json]"',
    description: 'A request of the load mix, e.g. "GET /users/{n}" (repeatable; with --entry)',
  },
  count: {
    type: 'string',
    valueName: '<N>',
    description: 'Requests per load (hunt), or N of the N/2N/4N ladder (check)',
  },
  warmup: { type: 'string', valueName: '<N>', description: 'Requests sent before measuring' },
  threshold: {
    type: 'string',
    valueName: '<bytes>',
    description: 'Heap growth per request above which it is a leak (--entry default 256)',
  },
  node: {
    type: 'string',
    valueName: '<path>',
    description: 'Node binary to run the services with',
  },
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
};

/**
 * Runs `work` with a signal that also fires on SIGTERM and SIGHUP (a closed terminal, a CI
 * timeout). The services run in their own process groups, so without this those signals would
 * end Leak Hunt and leave them running.
 */
export async function untilTerminated<T>(
  signal: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal.reason);
  const onSignal = (name: NodeJS.Signals): void =>
    controller.abort(new Error(`terminated by ${name}`));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
  }
}

/** What to run: the app folder and a manifest, from an exercise folder or from `--entry`. */
export interface HuntTarget {
  appDir: string;
  manifest: ExerciseManifest;
  /** The exercise, when the target is one (its setup step must run before its services). */
  exercise?: Exercise;
}

/**
 * Runs `work` on the target's app folder; for an exercise with a setup step, on a temporary copy
 * where setup has run (removed afterwards), so a build never writes into the exercise folder.
 */
export function withTargetApp<T>(
  target: HuntTarget,
  options: { nodePath?: string; signal: AbortSignal; io: CliIo },
  work: (appDir: string) => Promise<T>,
): Promise<T> {
  if (!target.exercise) return work(target.appDir);
  const { nodePath, signal, io } = options;
  return withReadyApp(
    target.exercise,
    { ...(nodePath ? { nodePath } : {}), signal, onProgress: (message) => io.err(message) },
    work,
  );
}

function count(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag} expects a whole number`);
  return n;
}

/** Parses `"POST /orders/{n} {\"item\":1}"` into a load request for `service`. */
export function parseRequest(text: string, service: string): LoadRequest {
  const match = /^\s*([A-Za-z]+)\s+(\/\S*)\s*(.*)$/.exec(text);
  const method = match?.[1]?.toUpperCase();
  if (!match || !METHODS.includes(method as (typeof METHODS)[number]))
    throw new UsageError(`--request "${text}": expected "<METHOD> /path [json body]"`);
  const request: LoadRequest = {
    service,
    method: method as LoadRequest['method'],
    path: match[2]!,
  };
  if (match[3]) {
    try {
      request.body = JSON.parse(match[3]) as unknown;
    } catch (error) {
      throw new UsageError(`--request "${text}": the body is not JSON`, { cause: error });
    }
  }
  return request;
}

/** Builds the run target from either form of `hunt` / `check`, applying the option overrides. */
export async function resolveTarget(
  positionals: string[],
  values: Record<string, unknown>,
  io: CliIo,
): Promise<HuntTarget> {
  const entry = values.entry as string | undefined;
  const requests = (values.request as string[] | undefined) ?? [];
  let target: HuntTarget;
  if (entry) {
    if (positionals.length) throw new UsageError('give either <exercise-dir> or --entry, not both');
    if (requests.length === 0)
      throw new UsageError('--entry needs at least one --request "<METHOD> /path"');
    const file = resolve(io.cwd, entry);
    const service =
      basename(file, extname(file))
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-') || 'app';
    target = {
      appDir: dirname(file),
      manifest: {
        id: service,
        title: service,
        summary: `${file} under load`,
        difficulty: 'easy',
        minutes: 1,
        scenario: '',
        services: [{ name: service, entry: file }],
        load: { requests: requests.map((r) => parseRequest(r, service)), concurrency: 8 },
        hints: [],
        tests: { command: '' },
        check: { service, warmup: 500, step: 1000, thresholdBytesPerRequest: 256 },
        solution: '',
      },
    };
  } else {
    if (positionals.length !== 1)
      throw new UsageError(
        'expects one <exercise-dir>, or --entry <file.js> --request "GET /path"',
      );
    if (requests.length) throw new UsageError('--request goes with --entry');
    const exercise = await loadExercise(resolve(io.cwd, positionals[0]!));
    target = { appDir: exercise.appDir, manifest: exercise.manifest, exercise };
  }
  const { manifest } = target;
  const loadCount = count(values.count, 'count');
  const warmup = count(values.warmup, 'warmup');
  const threshold = count(values.threshold, 'threshold');
  if (loadCount !== undefined) {
    manifest.load.count = loadCount;
    manifest.check.step = Math.max(1, loadCount);
  }
  if (warmup !== undefined) manifest.check.warmup = warmup;
  if (threshold !== undefined) manifest.check.thresholdBytesPerRequest = threshold;
  return target;
}

/** `leakhunt hunt`: the headless hunt, from services under load to leak suspects. */
export const huntCommand: CliCommand = {
  usage: '<exercise-dir> | --entry <file.js> --request "GET /path" [...]',
  options: {
    ...targetOptions,
    snapshots: {
      type: 'string',
      valueName: '<dir>',
      description: 'Folder for the three snapshots (default: a new temporary folder)',
    },
    top: { type: 'string', valueName: '<N>', description: 'Number of suspects shown (default 5)' },
  },
  examples: [
    'leakhunt hunt exercises/user-sessions',
    'leakhunt hunt --entry server.js --request "GET /users/{n}" --request "POST /cart {\\"id\\":1}"',
    'leakhunt hunt exercises/user-sessions --json > hunt.json',
  ],
  async run({ positionals, values }, io) {
    const target = await resolveTarget(positionals, values, io);
    const { manifest } = target;
    const nodePath = values.node as string | undefined;
    const top = count(values.top, 'top') ?? 5;
    const snapshotDir = values.snapshots
      ? resolve(io.cwd, values.snapshots as string)
      : await mkdtemp(join(tmpdir(), 'leakhunt-'));
    let growth: { service: string; bytesPerRequest: number }[] = [];
    const result = await untilTerminated(io.signal, (signal) =>
      withTargetApp(target, { nodePath, signal, io }, async (appDir) => {
        const hunt = await runHunt({
          appDir,
          manifest,
          snapshotDir,
          top,
          nodePath,
          signal,
          onProgress: (message) => io.err(message),
          onGrowth: (measured) => (growth = measured),
        });
        if (appDir === target.appDir) return hunt;
        // The set-up copy is removed next: point the suspects at the exercise's own sources.
        const locate = await createLocationMapper(appDir, target.appDir);
        for (const suspect of hunt.suspects)
          if (suspect.location) suspect.location = await locate(suspect.location);
        return hunt;
      }),
    );
    if (values.json === true) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    const threshold = manifest.check.thresholdBytesPerRequest;
    io.out(
      result.verdict === 'leak'
        ? `Leak: '${result.service}' keeps ${formatBytes(result.bytesPerRequest)} per request ` +
            `(threshold ${formatBytes(threshold)}).`
        : `No leak found: the service that grew most, '${result.service}', keeps ` +
            `${formatBytes(result.bytesPerRequest)} per request (threshold ${formatBytes(threshold)}).`,
    );
    if (growth.length > 1)
      io.out(
        `Heap growth per request: ${growth
          .map((g) => `${g.service} ${formatBytes(g.bytesPerRequest)}`)
          .join(', ')}.`,
      );
    if (result.suspects.length) {
      io.out('');
      io.out('Top suspects (allocated between snapshots 1 and 2, still alive in 3):');
      result.suspects.forEach((s, i) => {
        io.out(`  ${i + 1}. ${s.name} ×${s.count}, retaining ${formatBytes(s.retainedSize)}`);
        io.out(`     ${s.path.join(' → ')}`);
        if (s.location)
          io.out(`     at ${s.location.file}:${s.location.line}:${s.location.column}`);
      });
    }
    io.out('');
    io.out('Snapshots (open them in the Heap Explorer or Chrome DevTools):');
    for (const file of result.snapshots) io.out(`  ${file}`);
    return 0;
  },
};
