import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** A path that names something other than a regular file (a FIFO, a directory, a device...). */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  constructor(
    readonly path: string,
    /** What it is instead, e.g. `a named pipe (FIFO)`. */
    readonly kind: string,
  ) {
    super(`${path} is ${kind}, not a regular file`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/**
 * Opens `path` for reading only if it is a regular file, without ever blocking on it. The open
 * uses O_NONBLOCK, so a FIFO with no writer opens at once instead of waiting for one (a plain
 * open would block a libuv thread for good, and a read would fail later with ESPIPE); then the
 * type is checked with fstat on the opened descriptor. Checking the descriptor rather than the
 * path first (stat, then open) leaves no window for the path to be swapped between the check and
 * the open. O_NONBLOCK changes nothing for reads of a regular file. Rejects with
 * `NotRegularFileError`, or the open's own error (ENOENT, EACCES...).
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  // Windows has no O_NONBLOCK (and no FIFOs in the file system).
  const handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new NotRegularFileError(path, kindOf(stats));
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A file that is larger than the caller accepts. */
export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${path} is ${size} bytes, more than the ${limit} accepted`);
  }
}

/**
 * The whole of a regular file (see `openRegularFile`), refused when larger than `maxBytes`. Reads
 * the size fstat reported, so a file that grows meanwhile cannot push it past the limit.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path);
  try {
    if (size > maxBytes) throw new FileTooLargeError(path, size, maxBytes);
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
