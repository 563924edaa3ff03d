import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, InspectorError, ServiceStartError } from '../inspector/errors';
import {
  exposureWarning,
  freePort,
  portAccepts,
  signalUntilExit,
  StderrTail,
  withoutInspectorFlags,
} from '../inspector/launch';
import { descendants, killEach } from '../common/processTree';
import { GRACE_MS, watchdog, type Release } from '../common/watchdog';
import { connectSession } from '../inspector/session';
import type { ExitInfo, InspectorSession, RunningService } from '../inspector/types';
import { guardWith, loaderFor } from './rigs';
import { runThenEnd } from './rigEnd';
import { EXIT_STORY_MS } from './timeouts';
import type { HuntEvent, HuntRig } from './types';

/** Names the private folder the preload reports into; the reporting process deletes it. */
const REPORT_VARIABLE = 'LEAKHUNT_LISTEN_REPORTS';
const DEFAULT_START_TIMEOUT_MS = 30_000;
/** After a first report that is not on PORT, how long to wait for the program to listen there. */
const PORT_SETTLE_MS = 300;

/**
 * Loaded through NODE_OPTIONS into every Node process the command starts (npm, a wrapper, the
 * server); only the one that serves does anything. Each process first leaves a `<pid>.started`
 * mark (so "no Node process ever started" can be told from "never listened"). When the process
 * listens on a TCP port, the inspector opens on 127.0.0.1 at a random port, in that process, and
 * `<pid>.json` says where: pid, inspector URL and every TCP port it listens on (rewritten at each
 * listen). Files are written then renamed, so a reader never sees half of one. The variable is
 * deleted once the process has reported, so the server's own children stay out of it.
 */
const PRELOAD = `'use strict';
// Written by Leak Hunt (src/hunt/commandRig.ts): opens the inspector in the process that serves.
(() => {
  const dir = process.env.${REPORT_VARIABLE};
  if (!dir || !require('node:worker_threads').isMainThread) return;
  const fs = require('node:fs');
  const path = require('node:path');
  const write = (name, text) => {
    const file = path.join(dir, name);
    try {
      fs.writeFileSync(file + '.tmp', text, { mode: 0o600 });
      fs.renameSync(file + '.tmp', file);
    } catch {}
  };
  write(process.pid + '.started', '');
  const net = require('node:net');
  const listen = net.Server.prototype.listen;
  const ports = [];
  const report = (server) => {
    const address = server.address();
    if (!address || typeof address !== 'object') return;
    ports.push({ port: address.port, address: address.address });
    const inspector = require('node:inspector');
    let error;
    try {
      if (!inspector.url()) inspector.open(0, '127.0.0.1');
    } catch (e) {
      error = String((e && e.message) || e);
    }
    delete process.env.${REPORT_VARIABLE};
    write(process.pid + '.json', JSON.stringify({ pid: process.pid, inspector: inspector.url(), error, ports }));
  };
  net.Server.prototype.listen = function (...args) {
    this.once('listening', () => report(this));
    return listen.apply(this, args);
  };
})();
`;

/** Why a start command could not be hunted; each comes with a next step in the message. */
export type CommandStartFailure =
  'spawn' | 'exited' | 'not-listening' | 'not-node' | 'not-loopback' | 'inspector';

/** A start command failed before it served: carries its stderr tail and why, as data. */
export class CommandStartError extends ServiceStartError {
  override name = 'CommandStartError';
  constructor(
    service: string,
    readonly failure: CommandStartFailure,
    message: string,
    stderrTail = '',
    options?: ErrorOptions,
  ) {
    super(service, message, stderrTail, options);
  }
}

/** What `withCommandRig` runs. */
export interface CommandRigOptions {
  /** Program and arguments, run without a shell (e.g. `['npm', 'start']`). */
  command: string[];
  /** Working folder of the command. */
  cwd: string;
  /** The service's name in the report and in snapshot names; default from `commandName`. */
  name?: string;
  /** Requests in flight at once during loads. */
  concurrency?: number;
  /** How long the command may take to listen; default 30 s (npm and TypeScript are slow). */
  startTimeoutMs?: number;
  /**
   * Start its Node processes with `--track-heap-objects` (through NODE_OPTIONS), so snapshots
   * carry allocation stacks without the cost of switching recording on over the inspector.
   */
  trackAllocations?: boolean;
  /** Extra environment for the command, on top of this process's. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  onEvent?: (event: HuntEvent) => void;
}

/**
 * A name for the program a command runs: its first script argument (`node dist/server.js` →
 * `server`), else the package it runs in (`npm start` → `shop-api` from package.json), else the
 * folder.
 */
export function commandName(command: string[], cwd: string): string {
  const script = command.slice(1).find((arg) => /\.[cm]?[jt]sx?$/.test(arg));
  const base = script
    ? basename(script, extname(script))
    : (packageName(cwd) ?? basename(resolve(cwd)));
  return base.toLowerCase().replace(/[^a-z0-9-]/g, '-') || 'app';
}

function packageName(dir: string): string | undefined {
  try {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
    };
    return typeof name === 'string' && name ? name.replace(/^@[^/]*\//, '') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a start command (`npm start`, `node server.js`, `npx ts-node src/app.ts`) in its own
 * process group with `PORT` (a free loopback port) and `HOST=127.0.0.1`, opens the inspector in
 * the process that serves (see PRELOAD), runs `work` on a rig bound to it and always kills the
 * whole group afterwards. Load goes to `PORT` if the program listens there, else to the port it
 * chose. The group also dies with Leak Hunt, even on SIGKILL (the watchdog in
 * src/common/watchdog.ts), whatever leads it (npm, a shell script, a server spinning in a
 * handler); only a process that leaves the group (setsid) escapes.
 */
export async function withCommandRig<T>(
  options: CommandRigOptions,
  work: (rig: HuntRig) => Promise<T>,
): Promise<T> {
  const name = options.name ?? commandName(options.command, options.cwd);
  options.onEvent?.({ phase: 'start', message: `starting ${options.command.join(' ')}` });
  const command = await startCommand(options, name);
  const { service } = command;
  const warning = exposureWarning(name, command.listening);
  if (warning) options.onEvent?.({ phase: 'start', message: `warning: ${warning.message}` });
  options.onEvent?.({
    phase: 'start',
    message:
      `  pid ${service.pid} listens on ${service.url}` +
      (service.port === command.assignedPort
        ? ' (PORT)'
        : ` (its own port; it ignored PORT=${command.assignedPort})`),
  });
  const controller = signalUntilExit([service], options.signal);
  // The exit, which aborts with its own story, may be reported after the socket drops.
  void service.session.disconnected.then(async () => {
    await Promise.race([service.exited, sleep(EXIT_STORY_MS)]);
    if (!controller.signal.aborted)
      controller.abort(
        new InspectorError(`the inspector of ${name} (pid ${service.pid}) closed: did it end?`),
      );
  });
  const guard = guardWith(controller.signal);
  const rig: HuntRig = {
    services: [{ name, session: service.session, exited: service.exited }],
    signal: controller.signal,
    guard,
    load: loaderFor({ [name]: service.url }, options.concurrency, controller.signal, guard),
    ...(options.trackAllocations ? { tracksAllocations: true } : {}),
  };
  return runThenEnd(
    rig,
    work,
    {
      controller,
      reason: 'the command was stopped',
      stopEvent: { phase: 'stop', message: `stopping ${options.command.join(' ')}` },
      stop: () => command.stop(),
    },
    options.onEvent,
  );
}

/** A listening report written by the preload. */
interface ListenReport {
  pid: number;
  inspector?: string;
  error?: string;
  ports: { port: number; address: string }[];
}

function killGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nobody is left in the group.
  }
}

/** NODE_OPTIONS quoting: double quotes, with backslash and quote escaped. */
function quoted(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/[\\"]/g, '\\$&')}"`;
}

/** The loopback host to reach a server bound to `address`, or undefined if it is not reachable. */
function loopbackHost(address: string): string | undefined {
  if (address === '' || address === '0.0.0.0' || address === '::') return '127.0.0.1';
  if (address.startsWith('::ffff:')) return loopbackHost(address.slice('::ffff:'.length));
  if (address.startsWith('127.')) return address;
  if (address === '::1') return '[::1]';
  return undefined;
}

interface StartedCommand {
  service: RunningService;
  assignedPort: number;
  /** Every TCP address the serving process listens on. */
  listening: { address: string; port: number }[];
  stop(): Promise<void>;
}

class CommandProcess {
  readonly tail = new StderrTail();
  readonly exited: Promise<ExitInfo>;
  info: ExitInfo | undefined;
  session: InspectorSession | undefined;
  private waitingForDebugger = false;
  private stopping: Promise<void> | undefined;
  private readonly onProcessExit = (): void =>
    this.removeAll(this.pgid === undefined ? [] : descendants(this.pgid));

  constructor(
    readonly child: ChildProcess,
    private readonly dir: string,
    /** Ends the watchdog's guard over the group and the preload folder. */
    private readonly unguard: Release,
  ) {
    // If Leak Hunt exits first (or is forced to by a second Ctrl-C), nothing is left behind.
    process.on('exit', this.onProcessExit);
    child.stdout?.resume();
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) =>
      this.tail.push(chunk, (line) => {
        // With a session attached Node keeps a finished process alive until the debugger
        // leaves; leaving at once lets the exit be reported instead of hanging.
        if (line.startsWith('Waiting for the debugger to disconnect')) {
          this.waitingForDebugger = true;
          void this.session?.close();
        }
      }),
    );
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        const finish = (): void => {
          this.info = { code, signal, outOfMemory: false, stderrTail: this.tail.tail() };
          this.info.outOfMemory = /JavaScript heap out of memory/.test(this.info.stderrTail);
          done(this.info);
        };
        // stderr may still hold the last lines: wait for it briefly.
        if (!child.stderr || child.stderr.readableEnded) return finish();
        const timer = setTimeout(finish, 500);
        child.stderr.once('end', () => {
          clearTimeout(timer);
          finish();
        });
      });
    });
  }

  setSession(session: InspectorSession): void {
    this.session = session;
    if (this.waitingForDebugger) void session.close();
  }

  get pgid(): number | undefined {
    return this.child.pid;
  }

  /** Closes the session, SIGTERM to the group, SIGKILL to whatever is left after the grace. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.session?.close();
      const pgid = this.pgid;
      // Read while the leader lives: helpers that left the group are found through it.
      const family = pgid === undefined ? [] : descendants(pgid);
      if (pgid !== undefined && killGroup(pgid, 'SIGTERM')) {
        // The group, not only its leader: npm may exit at once while the server shuts down.
        const until = Date.now() + GRACE_MS;
        while (Date.now() < until && killGroup(pgid, 0)) await sleep(50);
        killGroup(pgid, 'SIGKILL');
      }
      if (pgid !== undefined) await Promise.race([this.exited, sleep(GRACE_MS)]);
      this.removeAll(family);
      await rm(this.dir, { recursive: true, force: true });
    })();
    return this.stopping;
  }

  /** Kills the group and `family` (its leader's descendants, read earlier), removes our files. */
  private removeAll(family: number[]): void {
    if (this.pgid !== undefined) killGroup(this.pgid, 'SIGKILL');
    killEach(family);
    process.removeListener('exit', this.onProcessExit);
    rmSync(this.dir, { recursive: true, force: true });
    this.unguard();
  }
}

async function writePreload(): Promise<{ dir: string; preload: string; reports: string }> {
  try {
    // mkdtemp: an unguessable name, mode 0700, so no other user can swap the preload or a report.
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'leakhunt-listen-')));
    const preload = join(dir, 'listen-report.cjs');
    const reports = join(dir, 'reports');
    await writeFile(preload, PRELOAD, { mode: 0o600, flag: 'wx' });
    await mkdir(reports, { mode: 0o700 });
    return { dir, preload, reports };
  } catch (error) {
    throw new InspectorError(
      `cannot write the listen preload into ${tmpdir()}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function readReports(dir: string): { reports: ListenReport[]; started: number } {
  const reports: { report: ListenReport; at: number }[] = [];
  let started = 0;
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.started')) started++;
    if (!file.endsWith('.json')) continue;
    try {
      const path = join(dir, file);
      reports.push({
        report: JSON.parse(readFileSync(path, 'utf8')) as ListenReport,
        at: statSync(path).mtimeMs,
      });
    } catch {
      // Renamed over or removed meanwhile: read it next time.
    }
  }
  reports.sort((a, b) => a.at - b.at);
  return { reports: reports.map((r) => r.report), started };
}

/** The report to hunt and the port to load: a process listening on PORT first, else the first. */
function choose(
  reports: ListenReport[],
  port: number,
): { report: ListenReport; listening: { port: number; address: string } } | undefined {
  for (const report of reports) {
    const onPort = report.ports.find((p) => p.port === port);
    if (onPort) return { report, listening: onPort };
  }
  const first = reports.find((r) => r.ports.length > 0);
  return first && { report: first, listening: first.ports[0]! };
}

async function startCommand(options: CommandRigOptions, name: string): Promise<StartedCommand> {
  options.signal?.throwIfAborted();
  const [program, ...args] = options.command;
  const shown = options.command.join(' ');
  if (!program) throw new CommandStartError(name, 'spawn', 'no command to run after --');
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const port = await freePort();
  const files = await writePreload();
  const base = { ...process.env, ...options.env };
  const nodeOptions = [
    ...['--require', files.preload].map(quoted),
    ...(options.trackAllocations ? ['--track-heap-objects'] : []),
    withoutInspectorFlags(base.NODE_OPTIONS),
  ].filter(Boolean);
  const env: NodeJS.ProcessEnv = {
    ...base,
    PORT: String(port),
    HOST: '127.0.0.1',
    [REPORT_VARIABLE]: files.reports,
    NODE_OPTIONS: nodeOptions.join(' '),
  };
  // No shell: the arguments reach the program as given. detached: the command leads its own
  // process group, so stopping kills npm, a wrapper and the server alike.
  const unguardFolder = watchdog.removeOnDeath(files.dir);
  const child = spawn(program, args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // If Leak Hunt dies without stopping it (SIGKILL), the watchdog kills the group.
  const unguardGroup = child.pid === undefined ? () => undefined : watchdog.guardGroup(child.pid);
  const proc = new CommandProcess(child, files.dir, () => {
    unguardGroup();
    unguardFolder();
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  try {
    const chosen = await waitForReport(proc, files.reports, port, timeoutMs, options, name, () => {
      if (spawnError)
        throw new CommandStartError(
          name,
          'spawn',
          `cannot run '${program}': ${spawnError.message}. It runs without a shell: check it is ` +
            `on PATH, or give the shell yourself (-- sh -c '…')`,
          '',
          { cause: spawnError },
        );
    });
    const host = loopbackHost(chosen.listening.address);
    if (!host)
      throw new CommandStartError(
        name,
        'not-loopback',
        `${shown} listens only on ${chosen.listening.address}:${chosen.listening.port}, which ` +
          `Leak Hunt does not load: make it listen on process.env.HOST (127.0.0.1) or all addresses`,
        proc.tail.tail(),
      );
    const { report } = chosen;
    const { inspector } = report;
    if (!inspector)
      throw new CommandStartError(
        name,
        'inspector',
        `pid ${report.pid} could not open its inspector: ${report.error ?? 'no URL'}`,
        proc.tail.tail(),
      );
    const session = await connect({ ...report, inspector }, proc, options, name);
    proc.setSession(session);
    const url = `http://${host}:${chosen.listening.port}`;
    const service: RunningService = {
      name,
      pid: report.pid,
      url,
      port: chosen.listening.port,
      session,
      stderrTail: () => proc.tail.tail(),
      exited: proc.exited,
      exitInfo: () => proc.info,
    };
    return {
      service,
      assignedPort: port,
      listening: report.ports,
      stop: () => proc.stop(),
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** Connects to the reported inspector, unless the command exits or the caller aborts first. */
async function connect(
  report: ListenReport & { inspector: string },
  proc: CommandProcess,
  options: CommandRigOptions,
  name: string,
): Promise<InspectorSession> {
  const connecting = connectSession(report.inspector, report.pid);
  const exited = proc.exited.then((exit) => {
    throw new CommandStartError(
      name,
      'exited',
      `${options.command.join(' ')} ended while Leak Hunt connected to it (${describeExit(exit)})`,
      exit.stderrTail,
    );
  });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  for (const p of [exited, aborted]) p.catch(() => undefined);
  try {
    return await Promise.race([connecting, exited, aborted]);
  } catch (error) {
    // A session that connects after we gave up must not keep this process alive.
    void connecting.then(
      (session) => session.close(),
      () => undefined,
    );
    throw error;
  } finally {
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Polls the report folder until a Node process of the command listens, failing with a next step
 * when the command exits first, no Node process ever starts, or nothing listens in time.
 */
async function waitForReport(
  proc: CommandProcess,
  reports: string,
  port: number,
  timeoutMs: number,
  options: CommandRigOptions,
  name: string,
  checkSpawn: () => void,
): Promise<{ report: ListenReport; listening: { port: number; address: string } }> {
  const shown = options.command.join(' ');
  const deadline = Date.now() + timeoutMs;
  const seconds = `${Math.round(timeoutMs / 100) / 10} s`;
  for (;;) {
    options.signal?.throwIfAborted();
    checkSpawn();
    const seen = readReports(reports);
    if (seen.reports.length > 0) {
      let chosen = choose(seen.reports, port);
      if (chosen && chosen.listening.port !== port && !proc.info) {
        // A program may open another port (metrics, an admin page) before PORT.
        await sleep(PORT_SETTLE_MS);
        chosen = choose(readReports(reports).reports, port) ?? chosen;
      }
      if (chosen) return chosen;
    }
    const exit = proc.info;
    if (exit) {
      const foreground =
        exit.code === 0 && !exit.signal
          ? ' (the command must keep running in the foreground while it serves)'
          : '';
      throw new CommandStartError(
        name,
        'exited',
        `${shown} ${describeExit(exit)} before it listened on a port${foreground}: fix the error ` +
          `below, or run it on its own to see why`,
        exit.stderrTail,
      );
    }
    const notNode = (): CommandStartError =>
      new CommandStartError(
        name,
        'not-node',
        `${shown} started no Node process that Leak Hunt could open: it hunts Node programs ` +
          `only, started with NODE_OPTIONS intact. If it is one that resets NODE_OPTIONS, run ` +
          `it with --inspect=127.0.0.1:0 and use --attach <port> --url <its URL>`,
        proc.tail.tail(),
      );
    // Something serves on PORT and no Node process of ours exists: not a Node program.
    if (seen.started === 0 && (await portAccepts(port))) throw notNode();
    if (Date.now() > deadline) {
      if (seen.started === 0) throw notNode();
      throw new CommandStartError(
        name,
        'not-listening',
        `${shown} did not listen on a TCP port within ${seconds}: it must listen, ideally on ` +
          `process.env.PORT (${port}); if it is only slow to start, give it longer with ` +
          `--start-timeout <seconds>`,
        proc.tail.tail(),
      );
    }
    await Promise.race([sleep(50), proc.exited]);
  }
}
