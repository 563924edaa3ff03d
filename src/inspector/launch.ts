import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceSpec } from '../exercises/manifest';
import { InspectorError, ServiceExitedError, ServiceStartError } from './errors';
import { descendants, killEach } from '../common/processTree';
import { watchdog, type Release } from '../common/watchdog';
import { connectSession } from './session';
import type {
  ExitInfo,
  InspectorSession,
  LaunchOptions,
  ListeningAddress,
  RunningService,
  ServiceGroup,
  ServiceWarning,
} from './types';

const TAIL_LINES = 40;
const TAIL_CHARS = 8000;
const INSPECTOR_BANNER =
  /^(Debugger listening on |For help, see: https:\/\/nodejs\.org|Debugger attached\.|Debugger ending on |Waiting for the debugger to disconnect)/;
/** V8's native stack after a fatal error (` 7: 0x10ea385 v8::internal::…`): noise for users. */
const NATIVE_FRAME = /^\s*\d+: 0x[0-9a-f]+ /;
const OUT_OF_MEMORY =
  /JavaScript heap out of memory|Fatal JavaScript out of memory|Fatal process out of memory/;

/**
 * NODE_OPTIONS minus `--inspect*` / `--debug*` flags: one from the user's shell would clash with
 * ours (or open a second, fixed-port inspector), while flags like `--require` must stay.
 */
export function withoutInspectorFlags(nodeOptions: string | undefined): string {
  return (nodeOptions ?? '')
    .split(/\s+/)
    .filter((flag) => flag && !/^--(inspect|debug)/.test(flag))
    .join(' ');
}

/** `catalogue` → `CATALOGUE_URL`, `price-list` → `PRICE_LIST_URL`. */
export function urlVariable(serviceName: string): string {
  return `${serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/** A free TCP port on 127.0.0.1, found by binding port 0 and releasing it. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portAccepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function healthAnswers(port: number, path: string): Promise<boolean> {
  return new Promise((done) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
  });
}

/** Kills a whole process group (the service and anything it spawned); ignores gone groups. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Keeps the last lines of a stream (minus the inspector's own banner) for error messages. */
export class StderrTail {
  private lines: string[] = [];
  private partial = '';
  text = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      onLine(line);
      if (!INSPECTOR_BANNER.test(line) && !NATIVE_FRAME.test(line)) this.lines.push(line);
    }
    if (this.lines.length > TAIL_LINES) this.lines = this.lines.slice(-TAIL_LINES);
    this.text += chunk;
    if (this.text.length > TAIL_CHARS * 2) this.text = this.text.slice(-TAIL_CHARS);
  }

  tail(): string {
    const all = [...this.lines, ...(this.partial ? [this.partial] : [])].join('\n').trimEnd();
    return all.length > TAIL_CHARS ? all.slice(-TAIL_CHARS) : all;
  }
}

class Service implements RunningService {
  private current: InspectorSession | undefined;
  private waitingForDebugger = false;
  readonly exited: Promise<ExitInfo>;
  readonly url: string;
  private info: ExitInfo | undefined;
  private readonly stderr = new StderrTail();
  private wsUrlFound: ((url: string) => void) | undefined;
  readonly wsUrl: Promise<string>;
  private outOfMemory = false;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
    log: ((line: string) => void) | undefined,
    /** Ends the watchdog's guard over the service's group, once nothing of it can be left. */
    private readonly unguard: Release,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = new Promise((found) => (this.wsUrlFound = found));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) =>
      this.stderr.push(chunk, (line) => {
        const ws = /Debugger listening on (ws:\/\/\S+)/.exec(line);
        if (ws) this.wsUrlFound?.(ws[1]!);
        if (OUT_OF_MEMORY.test(line)) this.outOfMemory = true;
        // With a session attached Node keeps a finished process alive until the debugger
        // leaves; leaving at once lets a crash or exit be reported instead of hanging.
        if (line.startsWith('Waiting for the debugger to disconnect')) {
          this.waitingForDebugger = true;
          void this.current?.close();
        }
        log?.(`[${name}] ${line}`);
      }),
    );
    child.stdout?.setEncoding('utf8');
    let stdoutPartial = '';
    child.stdout?.on('data', (chunk: string) => {
      const lines = (stdoutPartial + chunk).split('\n');
      stdoutPartial = lines.pop() ?? '';
      if (log) for (const line of lines) log(`[${name}] ${line}`);
    });
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        // stderr may still hold the last lines (e.g. the OOM report): wait for it briefly.
        const finish = (): void => {
          this.info = {
            code,
            signal,
            outOfMemory: this.outOfMemory || OUT_OF_MEMORY.test(this.stderr.text),
            stderrTail: this.stderr.tail(),
          };
          resolveExit(this.info);
        };
        if (!child.stderr || child.stderr.readableEnded) return finish();
        const timer = setTimeout(finish, 500);
        child.stderr.once('end', () => {
          clearTimeout(timer);
          finish();
        });
      });
    });
  }

  get session(): InspectorSession {
    if (!this.current) throw new InspectorError(`service '${this.name}' has no inspector session`);
    return this.current;
  }

  set session(session: InspectorSession) {
    this.current = session;
    // The process may have finished while the session was still being set up.
    if (this.waitingForDebugger) void session.close();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stderrTail(): string {
    return this.stderr.tail();
  }

  exitInfo(): ExitInfo | undefined {
    return this.info;
  }

  async stop(): Promise<void> {
    await this.current?.close();
    if (this.child.pid === undefined) return;
    // Read while the service lives: helpers that left its group are found through it.
    const family = this.info ? [] : descendants(this.child.pid);
    if (!this.info) {
      killGroup(this.child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(this.child.pid!, 'SIGKILL'), 1500);
      await this.exited;
      clearTimeout(timer);
    }
    // Anything the service spawned dies with it, even if the service itself already exited.
    killGroup(this.child.pid, 'SIGKILL');
    killEach(family);
    this.unguard();
  }
}

class Group implements ServiceGroup {
  services: Service[] = [];
  private stopped: Promise<void> | undefined;
  private readonly onProcessExit = (): void => {
    for (const service of this.services) {
      if (!service.child.pid) continue;
      const family = descendants(service.child.pid);
      killGroup(service.child.pid, 'SIGKILL');
      killEach(family);
    }
  };

  constructor() {
    // If Leak Hunt itself exits (or is forced to by a second Ctrl-C), no service is left behind.
    // When it cannot run this (SIGKILL, a crash of the extension host), the watchdog stops them.
    process.on('exit', this.onProcessExit);
  }

  service(name: string): Service {
    const found = this.services.find((s) => s.name === name);
    if (!found)
      throw new InspectorError(
        `no service called '${name}' (running: ${this.services.map((s) => s.name).join(', ')})`,
      );
    return found;
  }

  url(name: string): string {
    return this.service(name).url;
  }

  stop(): Promise<void> {
    this.stopped ??= Promise.all(this.services.map((s) => s.stop())).then(() => {
      process.removeListener('exit', this.onProcessExit);
    });
    return this.stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

async function startOne(
  group: Group,
  spec: ServiceSpec,
  port: number,
  env: NodeJS.ProcessEnv,
  options: LaunchOptions,
  deadline: number,
): Promise<void> {
  const appDir = resolve(options.appDir);
  const entry = isAbsolute(spec.entry) ? spec.entry : resolve(appDir, spec.entry);
  const child = spawn(
    options.nodePath ?? process.execPath,
    [...(spec.nodeArgs ?? []), '--inspect=127.0.0.1:0', entry, ...(spec.args ?? [])],
    // detached: the service leads its own process group, so stopping kills its children too.
    { cwd: appDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The watchdog kills the group if Leak Hunt dies without stopping it (SIGKILL, a crash).
  const unguard = child.pid === undefined ? () => undefined : watchdog.guardGroup(child.pid);
  const service = new Service(spec.name, child, port, options.log, unguard);
  group.services.push(service);
  if (child.pid !== undefined) options.log?.(`[${spec.name}] started ${entry} (pid ${child.pid})`);
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(
        new ServiceStartError(spec.name, `cannot start ${entry}: ${error.message}`, '', {
          cause: error,
        }),
      ),
    ),
  );
  const exitedEarly = service.exited.then((exit) => {
    throw new ServiceStartError(
      spec.name,
      `${entry} ${describeEarlyExit(exit)} before it was ready`,
      exit.stderrTail,
    );
  });
  let phase = 'did not open its inspector';
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ServiceStartError(
            spec.name,
            `${phase} within ${options.startTimeoutMs ?? 15000} ms`,
            service.stderrTail(),
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
  });
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(options.signal?.reason);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
  const failures = [spawnFailed, exitedEarly, aborted, timedOut];
  for (const p of failures) p.catch(() => undefined);
  try {
    const wsUrl = await Promise.race([service.wsUrl, ...failures]);
    const connecting = connectSession(wsUrl, child.pid).catch(async (error: unknown) => {
      // A service dying during start-up also drops the connection: report the death instead.
      const exit = await Promise.race([service.exited, sleep(1000)]);
      if (exit) await exitedEarly;
      throw error;
    });
    service.session = await Promise.race([connecting, ...failures]);
    phase = spec.health
      ? `did not answer ${spec.health} with 2xx on port ${port} (it must listen on process.env.PORT)`
      : `did not listen on port ${port} (it must listen on process.env.PORT)`;
    let waiting = true;
    const ready = (async () => {
      while (waiting) {
        const ok = spec.health ? await healthAnswers(port, spec.health) : await portAccepts(port);
        if (ok) return;
        await sleep(50);
      }
    })();
    await Promise.race([ready, ...failures]).finally(() => (waiting = false));
    // Bounded: a service that stalls right after listening is the hunt's to report, not ours.
    let bound: NodeJS.Timeout | undefined;
    const addresses = await Promise.race([
      service.session.listeningAddresses(),
      new Promise<undefined>((done) => (bound = setTimeout(() => done(undefined), 2000))),
    ]).finally(() => clearTimeout(bound));
    const warning = addresses && exposureWarning(spec.name, addresses);
    if (warning) options.onWarning?.(warning);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}

/** `0.0.0.0:3000`, `[::]:3000`. */
function formatAddress({ address, port }: ListeningAddress): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The warning for a service listening on every interface (`listen(PORT)` without a host binds
 * `::` or `0.0.0.0`): while it runs under Leak Hunt, anyone who can reach this machine can send
 * it requests. Undefined when it listens on specific addresses only.
 */
export function exposureWarning(
  service: string,
  addresses: ListeningAddress[],
): ServiceWarning | undefined {
  const everywhere = addresses.filter((a) => ['', '0.0.0.0', '::'].includes(a.address));
  if (everywhere.length === 0) return undefined;
  return {
    service,
    kind: 'listens-on-every-interface',
    addresses: everywhere,
    message:
      `service '${service}' listens on every interface ` +
      `(${everywhere.map(formatAddress).join(', ')}): ` +
      `other machines on the network can reach it while Leak Hunt runs it. Pass ` +
      `process.env.HOST to listen() (Leak Hunt sets it to 127.0.0.1).`,
  };
}

function describeEarlyExit(exit: ExitInfo): string {
  if (exit.outOfMemory) return 'ran out of memory';
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${String(exit.code)}`;
}

/**
 * Starts each service with `node --inspect=127.0.0.1:0`, in manifest order, each on a free
 * loopback port (`PORT`, `HOST=127.0.0.1`, siblings' `<NAME>_URL`), connects its inspector and
 * waits until it accepts connections (or its health path answers). On any failure every process
 * started so far is stopped and a `ServiceStartError` carrying the stderr tail is thrown. Each
 * service is also stopped by the watchdog when this process ends, even by SIGKILL
 * (src/common/watchdog.ts), whatever the service is doing.
 */
export async function launchServices(options: LaunchOptions): Promise<ServiceGroup> {
  options.signal?.throwIfAborted();
  const appDir = resolve(options.appDir);
  for (const spec of options.services) {
    const entry = isAbsolute(spec.entry) ? spec.entry : resolve(appDir, spec.entry);
    if (!existsSync(entry))
      throw new ServiceStartError(spec.name, `entry file not found: ${entry}`);
  }
  const ports = await Promise.all(options.services.map(() => freePort()));
  const urls = Object.fromEntries(
    options.services.map((s, i) => [urlVariable(s.name), `http://127.0.0.1:${ports[i]}`]),
  );
  const group = new Group();
  try {
    for (const [i, spec] of options.services.entries()) {
      const siblings = Object.fromEntries(
        Object.entries(urls).filter(([key]) => key !== urlVariable(spec.name)),
      );
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...options.env,
        ...spec.env,
        ...siblings,
        PORT: String(ports[i]),
        HOST: '127.0.0.1',
      };
      const nodeOptions = withoutInspectorFlags(env.NODE_OPTIONS);
      if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
      else delete env.NODE_OPTIONS;
      const deadline = Date.now() + (options.startTimeoutMs ?? 15000);
      await startOne(group, spec, ports[i]!, env, options, deadline);
      options.log?.(`[${spec.name}] ready on http://127.0.0.1:${ports[i]}`);
    }
  } catch (error) {
    await group.stop();
    throw error;
  }
  return group;
}

/**
 * An AbortSignal that fires when `signal` does or when any of the services ends, with a
 * `ServiceExitedError` (crash, exit, out of memory) as the reason. Work done under it stops as
 * soon as a service dies, and the error says how. Abort it when the work is over: that also
 * unhooks it from `signal`.
 */
export function signalUntilExit(
  services: RunningService[],
  signal: AbortSignal | undefined,
): AbortController {
  const controller = new AbortController();
  const forward = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) forward();
  signal?.addEventListener('abort', forward, { once: true });
  controller.signal.addEventListener('abort', () => signal?.removeEventListener('abort', forward), {
    once: true,
  });
  for (const service of services)
    void service.exited.then((exit) => {
      if (!controller.signal.aborted) controller.abort(new ServiceExitedError(service.name, exit));
    });
  return controller;
}
