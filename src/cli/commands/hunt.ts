import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { withReadyApp } from '../../exercises/appCopy';
import { requireCommandsAllowed } from '../../exercises/consent';
import { loadExercise, type Exercise } from '../../exercises/exercise';
import { createLocationMapper } from '../../exercises/sourceLocation';
import type { ExerciseManifest, LoadRequest } from '../../exercises/manifest';
import { printable } from '../../common/text';
import { MAX_REQUESTS_PER_LOAD, MAX_THRESHOLD_BYTES_PER_REQUEST } from '../../hunt/plan';
import { minRequestsPerRung } from '../../hunt/verdict';
import {
  commandName,
  DEFAULT_REQUESTS_PER_RUNG,
  huntApp,
  huntOnRig,
  inProcessDiff,
  withAttachedRig,
  withCommandRig,
  withFolderKeptOnSuccess,
  type HuntEvent,
  type HuntReport,
  type RigHuntOptions,
} from '../../hunt';
import { isLoopbackHost } from '../../common/loopback';
import { relocateReport, suspectLines, verdictLines } from '../huntReport';
import { UsageError, type CliCommand, type CliIo, type OptionSpec } from '../command';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** `--allow-commands`: every command that runs an exercise's commands takes it. */
export const allowCommandsOption: OptionSpec = {
  type: 'boolean',
  description:
    'Run an exercise that came from a pack (its setup, tests and services are listed when refused)',
};

/** Options `hunt` and `check` share: what to run and how hard to drive it. */
export const targetOptions: Record<string, OptionSpec> = {
  entry: {
    type: 'string',
    valueName: '<file.js>',
    description:
      'Run this Node program (it must listen on process.env.PORT) instead of an exercise',
  },
  attach: {
    type: 'string',
    valueName: '<port|ws://127.0.0.1:…>',
    description:
      'Hunt a Node process already running with --inspect (loopback only; it keeps running)',
  },
  url: {
    type: 'string',
    valueName: '<http://127.0.0.1:PORT>',
    description: 'Where the attached process serves: the load goes there (loopback only)',
  },
  'start-timeout': {
    type: 'string',
    valueName: '<seconds>',
    description: 'How long a start command (after --) may take to listen (default 30)',
  },
  request: {
    type: 'string',
    multiple: true,
    valueName: '"<METHOD> <path> [json]"',
    description:
      'A request of the load mix, e.g. "GET /users/{n}" (repeatable; with --entry, --attach or --)',
  },
  count: {
    type: 'string',
    valueName: '<N>',
    description:
      "Requests per load; three loads follow the warm-up (default: the exercise's, else 2000)",
  },
  warmup: { type: 'string', valueName: '<N>', description: 'Requests sent before measuring' },
  threshold: {
    type: 'string',
    valueName: '<bytes>',
    description:
      'Bytes per request that must survive for a leak; under half is no leak (default 256)',
  },
  node: {
    type: 'string',
    valueName: '<path>',
    description: 'Node binary to run the services with (not with --attach or a command)',
  },
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
  'allow-commands': allowCommandsOption,
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

/**
 * What to run: an app folder and a manifest (an exercise, or `--entry`), a start command (after
 * `--`), or a running process to attach to. The last two are described by a one-service manifest
 * too, so every form gets its plan and option overrides the same way.
 */
export type HuntTarget = AppTarget | CommandTarget | AttachTarget;

export interface AppTarget {
  kind: 'app';
  appDir: string;
  manifest: ExerciseManifest;
  /** The exercise, when the target is one (its setup step must run before its services). */
  exercise?: Exercise;
}

export interface CommandTarget {
  kind: 'command';
  /** Program and arguments, as given after `--`. */
  command: string[];
  cwd: string;
  manifest: ExerciseManifest;
  startTimeoutMs?: number;
}

export interface AttachTarget {
  kind: 'attach';
  inspector: { port: number } | { url: string };
  /** Where the process serves (loopback). */
  url: string;
  manifest: ExerciseManifest;
}

/**
 * Runs `work` on the target's app folder; for an exercise with a setup step, on a temporary copy
 * where setup has run (removed afterwards), so a build never writes into the exercise folder.
 */
export function withTargetApp<T>(
  target: AppTarget,
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

/**
 * A whole-number option within bounds, or undefined when absent. Digits only: `1e12` or `0x10`
 * are refused rather than read as numbers nobody meant.
 */
function wholeNumber(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`--${flag} ${text}: expects a whole number from ${min} to ${max}`);
  return n;
}

/** `--threshold`: bytes per request, more than 0 and at most the schema's maximum. */
function thresholdOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^\d{1,16}(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(n > 0 && n <= MAX_THRESHOLD_BYTES_PER_REQUEST))
    throw new UsageError(
      `--threshold ${text}: expects bytes per request, more than 0 and at most ${MAX_THRESHOLD_BYTES_PER_REQUEST}`,
    );
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

/**
 * Bytes per request that must survive for a program that is not an exercise to leak: healthy
 * servers keep 0 (the corpus's ten), the smallest real leak there keeps 280 (docs/hunt.md).
 */
const DEFAULT_THRESHOLD = 256;

/** A one-service manifest for a program that is not an exercise, with `--entry`'s defaults. */
function programManifest(service: string, summary: string, requests: string[]): ExerciseManifest {
  return {
    id: service,
    title: service,
    summary,
    difficulty: 'easy',
    minutes: 1,
    scenario: '',
    services: [{ name: service, entry: '' }],
    load: { requests: requests.map((r) => parseRequest(r, service)), concurrency: 8 },
    hints: [],
    tests: { command: '' },
    check: {
      service,
      warmup: 500,
      step: DEFAULT_REQUESTS_PER_RUNG,
      thresholdBytesPerRequest: DEFAULT_THRESHOLD,
    },
    solution: '',
  };
}

/** `--attach 9229`, `--attach 127.0.0.1:9229`, `--attach ws://127.0.0.1:9229/<id>`: loopback only. */
export function parseInspector(text: string): { port: number } | { url: string } {
  if (/^\d+$/.test(text)) {
    const port = Number(text);
    if (port < 1 || port > 65535) throw new UsageError(`--attach ${text}: not a port number`);
    return { port };
  }
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch (error) {
    throw new UsageError(`--attach ${text}: expected an inspector port, host:port or ws:// URL`, {
      cause: error,
    });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'http:')
    throw new UsageError(`--attach ${text}: expected an inspector port, host:port or ws:// URL`);
  // The inspector runs any code it is sent: never attach to one on another machine.
  if (!isLoopbackHost(url.hostname))
    throw new UsageError(
      `--attach ${text}: the inspector must be on this machine (127.0.0.1, ::1 or localhost); ` +
        `Leak Hunt never attaches to another host`,
    );
  if (!url.port)
    throw new UsageError(`--attach ${text}: give the inspector's port, e.g. 127.0.0.1:9229`);
  return url.protocol === 'ws:' ? { url: text } : { url: `http://${url.host}` };
}

/** `--url`: where an attached process serves; loopback `http://` only, refused before anything runs. */
export function parseServiceUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new UsageError(`--url ${text}: expected e.g. http://127.0.0.1:3000`, { cause: error });
  }
  if (url.protocol !== 'http:' || !isLoopbackHost(url.hostname))
    throw new UsageError(
      `--url ${text}: Leak Hunt only sends load to http:// on this machine (127.0.0.1, ::1 or ` +
        `localhost); run the service here, or tunnel its port to 127.0.0.1`,
    );
  if (url.pathname !== '/' || url.search)
    throw new UsageError(`--url ${text}: give only the origin; paths go in --request`);
  return url.origin;
}

/**
 * Builds the run target from the form of `hunt` / `check` given (an exercise folder, `--entry`,
 * a start command after `--`, or `--attach`), applying the option overrides.
 */
export async function resolveTarget(
  positionals: string[],
  values: Record<string, unknown>,
  io: CliIo,
  command: string[] = [],
): Promise<HuntTarget> {
  const entry = values.entry as string | undefined;
  const attach = values.attach as string | undefined;
  const requests = (values.request as string[] | undefined) ?? [];
  const forms = [
    positionals.length > 0 && '<exercise-dir>',
    entry && '--entry',
    attach && '--attach',
    command.length > 0 && '-- <command>',
  ].filter((form): form is string => typeof form === 'string');
  if (forms.length === 0)
    throw new UsageError(
      'expects one <exercise-dir>, --entry <file.js>, --attach <port> or -- <command>, ' +
        'the last three with --request "GET /path"',
    );
  if (forms.length > 1) throw new UsageError(`give one of ${forms.join(', ')}, not several`);
  const form = forms[0]!;
  if (form === '<exercise-dir>') {
    if (positionals.length !== 1) throw new UsageError('expects one <exercise-dir>');
    if (requests.length) throw new UsageError('--request goes with --entry, --attach or --');
  } else if (requests.length === 0)
    throw new UsageError(`${form} needs at least one --request "<METHOD> /path"`);
  if (values.url !== undefined && !attach) throw new UsageError('--url goes with --attach');
  if (values['start-timeout'] !== undefined && command.length === 0)
    throw new UsageError('--start-timeout goes with a start command (after --)');
  if (values.node !== undefined && (attach || command.length))
    throw new UsageError(`--node does not apply to ${form}: the command or process picks its Node`);

  let target: HuntTarget;
  if (entry) {
    const file = resolve(io.cwd, entry);
    const service =
      basename(file, extname(file))
        .toLowerCase()
        .replace(/[^a-z0-9-]/g, '-') || 'app';
    const manifest = programManifest(service, `${file} under load`, requests);
    manifest.services = [{ name: service, entry: file }];
    target = { kind: 'app', appDir: dirname(file), manifest };
  } else if (attach) {
    const inspector = parseInspector(attach);
    if (values.url === undefined)
      throw new UsageError(
        '--attach needs --url http://127.0.0.1:<port>, where the process serves',
      );
    const url = parseServiceUrl(values.url as string);
    target = {
      kind: 'attach',
      inspector,
      url,
      manifest: programManifest('app', `${url} under load`, requests),
    };
  } else if (command.length) {
    const seconds = wholeNumber(values['start-timeout'], 'start-timeout', 1, 3600);
    const service = commandName(command, io.cwd);
    target = {
      kind: 'command',
      command,
      cwd: io.cwd,
      manifest: programManifest(service, `${command.join(' ')} under load`, requests),
      ...(seconds ? { startTimeoutMs: seconds * 1000 } : {}),
    };
  } else {
    const exercise = await loadExercise(resolve(io.cwd, positionals[0]!));
    await requireCommandsAllowed(exercise, values['allow-commands'] === true);
    target = { kind: 'app', appDir: exercise.appDir, manifest: exercise.manifest, exercise };
  }
  const { manifest } = target;
  const loadCount = wholeNumber(values.count, 'count', 1, MAX_REQUESTS_PER_LOAD);
  const warmup = wholeNumber(values.warmup, 'warmup', 0, MAX_REQUESTS_PER_LOAD);
  const threshold = thresholdOption(values.threshold);
  if (threshold !== undefined) manifest.check.thresholdBytesPerRequest = threshold;
  if (loadCount !== undefined) {
    // Refused before anything runs: the verdict would be "too few requests" after minutes.
    const fewest = minRequestsPerRung(manifest.check.thresholdBytesPerRequest);
    if (loadCount < fewest)
      throw new UsageError(
        `--count ${loadCount}: too few requests per load for a verdict; at least ${fewest} with ` +
          `a threshold of ${manifest.check.thresholdBytesPerRequest} bytes per request ` +
          `(docs/hunt.md, "Fewest requests for a verdict")`,
      );
    manifest.load.count = loadCount;
    manifest.check.step = loadCount;
  }
  if (warmup !== undefined) manifest.check.warmup = warmup;
  return target;
}

/** The usage line `hunt` and `check` share: the four forms of a target. */
export const HUNT_USAGE =
  '<exercise-dir> | --entry <file.js> | --attach <port> --url <url> | -- <command…>  ' +
  '(the last three with --request "GET /path")';

/**
 * `--snapshots DIR`, made (or found) before any service starts, so a path that cannot hold the
 * snapshots is a one-line usage error instead of an `EEXIST` after the warm-up.
 */
async function snapshotFolder(dir: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? 'that is a file, not a folder'
        : code === 'ENOTDIR'
          ? 'part of that path is a file, not a folder'
          : `cannot make the folder (${(error as Error).message})`;
    throw new UsageError(`--snapshots ${dir}: ${why}; name a folder for the snapshots`, {
      cause: error,
    });
  }
  return dir;
}

/** `leakhunt hunt`: the headless hunt, from services under load to leak suspects. */
export const huntCommand: CliCommand = {
  usage: HUNT_USAGE,
  takesCommand: true,
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
    'leakhunt hunt --request "GET /users/{n}" -- npm start',
    'leakhunt hunt --request "GET /users/{n}" -- npx ts-node src/app.ts',
    'leakhunt hunt --attach 9229 --url http://127.0.0.1:3000 --request "GET /users/{n}"',
    'leakhunt hunt exercises/user-sessions --json > hunt.json',
  ],
  async run({ positionals, values, command }, io) {
    const target = await resolveTarget(positionals, values, io, command);
    const top = wholeNumber(values.top, 'top', 0, 1000) ?? 5;
    const hunt = (snapshotDir: string): Promise<HuntReport> =>
      runOnTarget(target, 'hunt', values, io, { top, snapshotDir });
    // The default folder stays only for a finished hunt, whose snapshots are listed below.
    const report = values.snapshots
      ? await hunt(await snapshotFolder(resolve(io.cwd, values.snapshots as string)))
      : await withFolderKeptOnSuccess('leakhunt-', hunt, (message) => io.err(message));
    if (values.json === true) {
      io.out(JSON.stringify(report, null, 2));
      return 0;
    }
    for (const line of verdictLines(report)) io.out(line);
    for (const line of suspectLines(report, io.cwd)) io.out(line);
    io.out('');
    io.out('Snapshots (open them in the Heap Explorer or Chrome DevTools):');
    for (const file of report.snapshots) io.out(`  ${file}`);
    return 0;
  },
};

/**
 * Runs the one hunt pipeline on a target for `hunt` or `check`, with Ctrl-C, SIGTERM and SIGHUP
 * stopping everything Leak Hunt started and progress on stderr. An exercise's setup runs in a
 * temporary copy, whose locations are moved to the exercise's own sources; a start command runs
 * in its own process group; an attached process is left running.
 */
export function runOnTarget(
  target: HuntTarget,
  kind: 'hunt' | 'check',
  values: Record<string, unknown>,
  io: CliIo,
  options: { top?: number; snapshotDir?: string } = {},
): Promise<HuntReport> {
  const nodePath = values.node as string | undefined;
  const onEvent = (event: HuntEvent): void => io.err(printable(event.message));
  const hunt: RigHuntOptions = {
    kind,
    manifest: target.manifest,
    ...options,
    diff: inProcessDiff,
    onEvent,
  };
  const name = target.manifest.services[0]!.name;
  const concurrency = target.manifest.load.concurrency;
  return untilTerminated(io.signal, (signal) => {
    switch (target.kind) {
      case 'command':
        return huntOnRig(
          (plan, work) =>
            withCommandRig(
              {
                command: target.command,
                trackAllocations: plan.trackAllocations,
                cwd: target.cwd,
                name,
                concurrency,
                signal,
                onEvent,
                ...(target.startTimeoutMs ? { startTimeoutMs: target.startTimeoutMs } : {}),
              },
              work,
            ),
          hunt,
        );
      case 'attach':
        return huntOnRig(
          (_plan, work) =>
            withAttachedRig(
              { inspector: target.inspector, url: target.url, name, concurrency, signal, onEvent },
              work,
            ),
          hunt,
        );
      case 'app':
        return withTargetApp(target, { nodePath, signal, io }, async (appDir) => {
          const report = await huntApp({ ...hunt, appDir, nodePath, signal });
          if (appDir === target.appDir) return report;
          // The set-up copy is removed next: point the suspects at the exercise's own sources.
          return relocateReport(report, await createLocationMapper(appDir, target.appDir));
        });
    }
  });
}
