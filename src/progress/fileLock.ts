import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ProgressError } from './errors';

export interface LockOptions {
  /** A lock whose file is older than this is taken to be left by a crashed holder. */
  staleMs: number;
  /** How long to wait for another holder before giving up with `lock-timeout`. */
  timeoutMs: number;
}

/** Infix of the owner files a lock is created from; one left by a crash is safe to delete. */
export const LOCK_TEMP_INFIX = '.owner-';

export const DEFAULT_LOCK_OPTIONS: LockOptions = { staleMs: 10_000, timeoutMs: 15_000 };

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

/** A held lock; `stillHeld` lets the holder check, before committing, that nobody broke it. */
export interface HeldLock {
  stillHeld(): Promise<boolean>;
}

/**
 * Runs `fn` while holding an exclusive lock file, created atomically (a hard link, or O_EXCL
 * where links are unsupported) so exactly one process (VS Code window) wins. A lock left by a crashed holder is broken when its process is gone
 * (same host) or its file is older than `staleMs`. Waits with jittered backoff otherwise.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: (lock: HeldLock) => Promise<T>,
  options: LockOptions = DEFAULT_LOCK_OPTIONS,
): Promise<T> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), token: randomToken() };
  await acquire(lockPath, owner, options);
  const lock: HeldLock = {
    stillHeld: async () => (await readOwnerText(lockPath)) === JSON.stringify(owner),
  };
  try {
    return await fn(lock);
  } finally {
    // Only remove the lock if it is still ours: a holder that was judged stale must not
    // delete the lock of whoever broke it.
    if (await lock.stillHeld()) await rm(lockPath, { force: true });
  }
}

async function acquire(lockPath: string, owner: LockOwner, options: LockOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = 4;
  for (;;) {
    if (await tryCreate(lockPath, JSON.stringify(owner))) return;
    if (await breakIfStale(lockPath, options.staleMs)) continue;
    if (Date.now() >= deadline)
      throw new ProgressError(
        'lock-timeout',
        `another Leak Hunt window held ${lockPath} for more than ${options.timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * Creates the lock file with its owner already inside, or returns false if it exists. The owner
 * is written to a private file first and hard-linked into place (link fails if the lock exists),
 * so a holder killed at any moment never leaves an empty lock that only age could break.
 */
async function tryCreate(lockPath: string, content: string): Promise<boolean> {
  const temp = `${lockPath}${LOCK_TEMP_INFIX}${randomToken()}`;
  try {
    await writeFile(temp, content, { flag: 'wx', mode: 0o600 });
    try {
      await link(temp, lockPath);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    // No hard links on this file system: exclusive create, then write (a brief empty lock).
    const handle = await open(lockPath, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new ProgressError('io', `cannot create the lock file ${lockPath}`, { cause: error });
  }
}

/** Returns true when the lock was gone or has been broken, so acquiring should retry at once. */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new ProgressError('io', `cannot read the lock file ${lockPath}`, { cause: error });
  }
  const owner = parseOwner(text);
  // An empty file is a holder between create and write (only without hard links): only age
  // makes it stale.
  const holderGone = owner !== undefined && owner.host === hostname() && !isAlive(owner.pid);
  if (!holderGone && ageMs <= staleMs) return false;

  // Move it aside atomically, then check it is the lock we judged: between our read and the
  // rename, someone else may have broken it and taken a fresh one, which we must give back.
  const aside = `${lockPath}${LOCK_TEMP_INFIX}stale-${randomToken()}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new ProgressError('io', `cannot break the stale lock ${lockPath}`, { cause: error });
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== text) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
  return true;
}

async function readOwnerText(lockPath: string): Promise<string | undefined> {
  return readFile(lockPath, 'utf8').catch(() => undefined);
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.token === 'string'
    )
      return value as LockOwner;
  } catch {
    // Not (yet) a complete owner record.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function randomToken(): string {
  return randomBytes(8).toString('hex');
}
