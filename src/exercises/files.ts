import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders never copied, hashed or packed: installed dependencies and Leak Hunt's own state. */
const SKIPPED_DIRS = new Set(['node_modules', '.leakhunt', '.git']);

/**
 * Every regular file under `root`, as sorted forward-slash paths relative to it. Symbolic links
 * are refused rather than followed: an exercise that points outside itself cannot be copied or
 * packed faithfully.
 */
export async function listFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(join(dir, entry.name), rel);
      } else if (entry.isFile()) {
        found.push(rel);
      } else if (entry.isSymbolicLink()) {
        throw new Error(
          `${join(dir, entry.name)} is a symbolic link; exercises may not contain links`,
        );
      }
    }
  }
  await walk(root, '');
  return found.sort();
}

/** Hex sha256 of some bytes. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of every file under `root`, keyed by relative path (see `listFiles`). */
export async function hashFiles(root: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const rel of await listFiles(root))
    hashes[rel] = sha256(await readFile(toNative(root, rel)));
  return hashes;
}

/** One hash standing for a whole file map, independent of the order it was built in. */
export function hashOfHashes(hashes: Record<string, string>): string {
  return sha256(
    Object.keys(hashes)
      .sort()
      .map((rel) => `${hashes[rel]}  ${rel}\n`)
      .join(''),
  );
}

/** `root` joined with a forward-slash relative path, using the platform's separator. */
export function toNative(root: string, rel: string): string {
  return join(root, ...rel.split('/'));
}

/** True when `path` exists and is a directory. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** True when `path` exists and is a regular file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isFile();
  } catch {
    return false;
  }
}

/** A relative path as compared across leaks: forward slashes, no `./`, no doubled slashes. */
export function normalisedPath(file: string): string {
  return file
    .replace(/\\/g, '/')
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}
