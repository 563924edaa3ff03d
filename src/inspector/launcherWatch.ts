import { rmSync } from 'node:fs';
import { mkdtemp, realpath, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InspectorError } from './errors';

/**
 * The service's end of its link to the launcher: the fourth stdio entry, right after stderr.
 * A socket pair rather than an IPC channel, so the service gets no `process.send` of ours.
 */
export const LINK_FD = 3;

/** Tells the preload which fd is the link; the preload deletes it before user code runs. */
const LINK_VARIABLE = 'LEAKHUNT_LAUNCHER_FD';

/** Grace between SIGTERM and SIGKILL, the same as a normal stop in launch.ts. */
const GRACE_MS = 1500;

/**
 * Runs first in the service (`--require`, CommonJS, so ESM entries get it too). The launcher
 * holds the other end of the link and never writes: the kernel closes it when the launcher ends,
 * however it ends (SIGKILL included), and end-of-file here sends SIGTERM to the service's process
 * group, then SIGKILL if the service outlives the grace. (Unlike a normal stop, nobody is left to
 * SIGKILL a helper that ignores SIGTERM once the service is gone.) The socket is unref'd, so a
 * service still ends by itself as it did without us; the variable and our `--require` are
 * removed, so user code, forks and cluster workers see neither. Worker threads load preloads
 * again, hence the variable check.
 */
const PRELOAD = `'use strict';
// Written by Leak Hunt (src/inspector/launcherWatch.ts): ends this service with its launcher.
if (process.env.${LINK_VARIABLE}) {
  const fd = Number(process.env.${LINK_VARIABLE});
  delete process.env.${LINK_VARIABLE};
  const flag = process.execArgv.indexOf(__filename);
  if (flag > 0 && process.execArgv[flag - 1] === '--require') process.execArgv.splice(flag - 1, 2);
  const link = new (require('node:net').Socket)({ fd, readable: true, writable: false });
  let gone = false;
  const launcherGone = () => {
    if (gone) return;
    gone = true;
    const dir = require('node:path').dirname(__filename);
    require('node:fs').rmSync(dir, { recursive: true, force: true });
    const group = process.platform === 'win32' ? process.pid : -process.pid;
    const kill = (signal) => {
      try {
        process.kill(group, signal);
      } catch {}
    };
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), ${GRACE_MS}).unref();
  };
  link.on('end', launcherGone);
  link.on('close', launcherGone);
  link.on('error', launcherGone);
  link.resume();
  link.unref();
}
`;

/** The preload of one group of services, and what launching each of them with it takes. */
export interface LauncherWatch {
  /** Node flags loading the preload; they go before the service's own flags. */
  readonly nodeArgs: string[];
  /** Environment the preload reads (and removes). */
  readonly env: Record<string, string>;
  /**
   * Keeps the launcher's end of a service's link (`child.stdio[LINK_FD]`) open without keeping
   * the launcher alive for it; an error on it (the service gone) is nothing to report.
   */
  hold(link: Readable | Writable | null | undefined): void;
  /** Deletes the preload; synchronous so that an 'exit' handler can call it. */
  remove(): void;
}

/**
 * Writes the preload into a fresh private folder (mkdtemp: unguessable name, mode 0700), so no
 * other user can swap the code a service runs. It is a file because `--require` needs one and
 * the bundles are single files; it stays while the services run because every worker thread
 * they start loads it again. The group removes it on stop, the preload on its launcher's death.
 */
export async function createLauncherWatch(): Promise<LauncherWatch> {
  let dir: string;
  try {
    // The real path, so the preload finds its own `--require` in execArgv by `__filename`.
    dir = await realpath(await mkdtemp(join(tmpdir(), 'leakhunt-preload-')));
    await writeFile(join(dir, 'launcher-watch.cjs'), PRELOAD, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new InspectorError(
      `cannot write the service preload into ${tmpdir()}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    nodeArgs: ['--require', join(dir, 'launcher-watch.cjs')],
    env: { [LINK_VARIABLE]: String(LINK_FD) },
    hold(link) {
      if (!(link instanceof net.Socket)) return;
      link.on('error', () => undefined);
      link.resume();
      link.unref();
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
