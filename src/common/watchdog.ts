import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { tmpdir } from 'node:os';

/** Grace between SIGTERM and SIGKILL, the same as a normal stop in launch.ts. */
export const GRACE_MS = 1500;

/** How often the watchdog checks that its parent is still the process that started it. */
const PARENT_POLL_MS = 500;

/** A watchdog that exits sooner than this is not restarted: it would only fail again. */
const MIN_LIFETIME_MS = 1000;

/**
 * The watchdog's whole program, run with `node -e` so no file has to be written or trusted. It
 * reads `+g<pgid>` / `-g<pgid>` (process groups) and `+p"<path>"` / `-p"<path>"` (files and
 * folders) from its stdin, one per line, values as JSON. When its parent dies, however it dies,
 * it sends SIGTERM to every group still registered, SIGKILL to those left after the grace (and to
 * the helpers that had left a group, found as descendants of its leader, as in processTree.ts,
 * which this program cannot import), and removes every path still registered. The parent's death shows as end-of-file on stdin (the
 * kernel closes the pipe), and as a changed `process.ppid` should a copy of the pipe's write end
 * have leaked into another process; after a changed ppid, lines still in the pipe get a moment
 * to be read.
 */
const WATCHDOG = `'use strict';
// Leak Hunt's watchdog (src/common/watchdog.ts): ends what its parent started when it dies.
const fs = require('node:fs');
const parent = Number(process.argv[1]);
const grace = Number(process.argv[2]);
const sets = { g: new Set(), p: new Set() };
const target = (group) => (process.platform === 'win32' ? group : -group);
const signal = (group, name) => {
  try {
    process.kill(target(group), name);
    return true;
  } catch {
    return false;
  }
};
const descendants = (root) => {
  const children = new Map();
  let entries = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {}
  for (const entry of entries) {
    if (!/^\\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + entry + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) || []), Number(entry)]);
    } catch {}
  }
  const found = [];
  const queue = [root];
  while (queue.length > 0)
    for (const child of children.get(queue.shift()) || []) {
      found.push(child);
      queue.push(child);
    }
  return found;
};
let ending = false;
const parentGone = () => {
  if (ending) return;
  ending = true;
  const family = [...sets.g].flatMap(descendants);
  for (const group of sets.g) signal(group, 'SIGTERM');
  const until = Date.now() + grace;
  const finish = () => {
    for (const group of sets.g) signal(group, 'SIGKILL');
    for (const pid of family) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    for (const path of sets.p) {
      try {
        fs.rmSync(path, { recursive: true, force: true });
      } catch {}
    }
    process.exit(0);
  };
  const wait = () => {
    const left = [...sets.g].some((group) => signal(group, 0));
    if (left && Date.now() < until) setTimeout(wait, 50);
    else finish();
  };
  wait();
};
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const set = sets[line[1]];
    if (!set) continue;
    const value = JSON.parse(line.slice(2));
    if (line[0] === '+') set.add(value);
    else set.delete(value);
  }
});
process.stdin.on('end', parentGone);
process.stdin.on('error', parentGone);
setInterval(() => {
  if (process.ppid !== parent) setTimeout(parentGone, 200);
}, ${PARENT_POLL_MS});
`;

/** Undoes one registration with the watchdog; calling it twice does nothing more. */
export type Release = () => void;

/**
 * Ends what this process started when this process dies, however it dies: SIGKILL, a crash of
 * the extension host, a closed terminal. A separate small Node process (see WATCHDOG) does it,
 * so it works whatever the started processes are doing: a service spinning in `while (true)`,
 * blocked in a synchronous call, a shell script leading its group, a test runner that is not
 * Node at all. It is spawned at the first registration, in a session of its own (a Ctrl-C or a
 * hang-up of the terminal does not reach it; Leak Hunt handles those itself), unref'd (it never
 * keeps this process alive), and told to end when the last registration is released.
 *
 * Rejected: a preload in each service holding a pipe to Leak Hunt (what this file did before):
 * it runs on the service's event loop, so a spinning service never sees the pipe close, and it
 * can only kill its own group, not one led by a shell. A worker thread in the service escapes
 * the blocked loop, but still lives inside a process that may be blocked in native code, costs
 * every service an isolate, and cannot help setup and test commands that are not Node.
 * `prctl(PR_SET_PDEATHSIG)` needs native code and covers direct children only.
 */
export class Watchdog {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  /** Registrations, counted, so two holders of one group or path each release their own. */
  private readonly held = {
    g: new Map<number | string, number>(),
    p: new Map<number | string, number>(),
  };

  constructor(private readonly graceMs = GRACE_MS) {}

  /** Kills process group `pgid` (SIGTERM, then SIGKILL after the grace) if this process dies. */
  guardGroup(pgid: number): Release {
    return this.hold('g', pgid);
  }

  /** Removes a file or folder (recursively) if this process dies while it is registered. */
  removeOnDeath(path: string): Release {
    return this.hold('p', path);
  }

  /** The watchdog's pid while one runs (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private hold(kind: 'g' | 'p', key: number | string): Release {
    const map = this.held[kind];
    const count = map.get(key) ?? 0;
    map.set(key, count + 1);
    if (count === 0) {
      if (this.child) this.write(`+${kind}${JSON.stringify(key)}`);
      else this.start();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (map.get(key) ?? 1) - 1;
      if (left > 0) return void map.set(key, left);
      map.delete(key);
      this.write(`-${kind}${JSON.stringify(key)}`);
      if (this.held.g.size === 0 && this.held.p.size === 0) this.stop();
    };
  }

  /** Spawns the watchdog and tells it everything registered so far. */
  private start(): void {
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(this.graceMs)], {
        // Its own session: terminal signals and a kill of our process group do not reach it.
        detached: true,
        stdio: ['pipe', 'ignore', 'ignore'],
        cwd: tmpdir(),
        // None of the user's NODE_OPTIONS; ELECTRON_RUN_AS_NODE: the editor's binary runs as Node.
        env: { ELECTRON_RUN_AS_NODE: '1' },
        windowsHide: true,
      });
    } catch {
      // Out of processes or memory: the work goes on, guarded only by the 'exit' hooks.
      return;
    }
    this.child = child;
    this.startedAt = Date.now();
    child.unref();
    if (child.stdin instanceof net.Socket) child.stdin.unref();
    // A failed write means the watchdog is gone; its 'exit' (or 'error') says what to do.
    child.stdin?.on('error', () => undefined);
    const gone = (): void => {
      if (this.child !== child) return;
      this.child = undefined;
      const idle = this.held.g.size === 0 && this.held.p.size === 0;
      // Killed from outside while guarding: a new one takes over what this one held.
      if (!idle && Date.now() - this.startedAt >= MIN_LIFETIME_MS) this.start();
    };
    child.once('error', gone);
    child.once('exit', gone);
    for (const kind of ['g', 'p'] as const)
      for (const key of this.held[kind].keys()) this.write(`+${kind}${JSON.stringify(key)}`);
  }

  /** Nothing left to guard: end-of-file tells the watchdog to exit (its lists are empty). */
  private stop(): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin?.end();
  }

  private write(line: string): void {
    this.child?.stdin?.write(`${line}\n`);
  }
}

/**
 * The watchdog of this process. One per process, because what it watches is this process's
 * death: every launcher, command runner and snapshot writer registers with the same one.
 */
export const watchdog = new Watchdog();
