import { mkdir, mkdtemp, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import * as yauzl from 'yauzl';
import * as yazl from 'yazl';
import { FileTooLargeError, readRegularFile } from '../common/regularFile';
import { printable, withoutBom } from '../common/text';
import { writeOrigin, type PackKind, type PackOrigin } from './consent';
import { loadExercise, loadSet, manifestProblems, setProblems } from './exercise';
import { PackError } from './errors';
import { listFiles, normalisedPath, sha256, toNative } from './files';
import type { ExerciseManifest, ExerciseSet } from './manifest';

/** Name of the pack's own manifest inside the zip. */
export const PACK_MANIFEST = 'leakhunt-pack.json';

/** One file of a pack, as listed in `leakhunt-pack.json`. */
export interface PackFile {
  path: string;
  sha256: string;
  size: number;
  /** `solution` files are the reference fixes, for graders; the editor never gives them to learners. */
  role: 'set' | 'exercise' | 'solution';
}

/** `leakhunt-pack.json`: what the pack holds, with a checksum per file. */
export interface PackManifest {
  format: 'leakhunt-pack';
  formatVersion: 1;
  set: { name: string; version: string; author: string };
  /** Absent in packs made before packs had kinds: those are graders' packs. */
  kind?: PackKind;
  /** True when the pack carries reference solutions (graders' packs). */
  includesSolutions: boolean;
  files: PackFile[];
}

/** Bounds on what `unpackPack` accepts; anything beyond them is treated as hostile. */
export interface UnpackLimits {
  /** Size of the .zip file itself. */
  maxPackBytes: number;
  maxFiles: number;
  /** Sum of the uncompressed sizes. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio accepted for an entry bigger than 64 KiB. */
  maxCompressionRatio: number;
}

export const DEFAULT_UNPACK_LIMITS: UnpackLimits = {
  maxPackBytes: 32 * 1024 * 1024,
  maxFiles: 2000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxCompressionRatio: 100,
};

// Fixed timestamps make a pack's bytes depend only on its contents.
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

/**
 * Packs a set folder into one zip with `leakhunt-pack.json` (a sha256 per file). A graders' pack
 * holds every file of each exercise folder, solutions marked as such; a learners' pack only what
 * a learner gets: `exercise.json`, the scenario, the debrief (shown once solved) and the app
 * folder — no solution, nothing else an instructor keeps beside them. `exercise.json` travels
 * whole, `leaks[].fixedBy` included: it names files the leaks' "where" hints name anyway, and
 * the same manifest then validates in both kinds. Validates the set first.
 */
export async function packSet(
  setDir: string,
  outFile: string,
  options: { kind?: PackKind } = {},
): Promise<PackManifest> {
  const kind = options.kind ?? 'graders';
  const root = resolve(setDir);
  const set = await loadSet(root);
  const files: PackFile[] = [];
  const contents = new Map<string, Buffer>();
  const add = (path: string, data: Buffer, role: PackFile['role']): void => {
    files.push({ path, sha256: sha256(data), size: data.length, role });
    contents.set(path, data);
  };
  add('set.json', await readFile(join(root, 'set.json')), 'set');
  for (const name of set.exercises) {
    const exercise = await loadExercise(join(root, name));
    const solution = exercise.manifest.solution?.replace(/\/+$/, '');
    const app = (exercise.manifest.app ?? 'app').replace(/\/+$/, '');
    const forLearners = (rel: string): boolean =>
      rel === 'exercise.json' ||
      rel === exercise.manifest.scenario ||
      (exercise.manifest.debrief !== undefined &&
        rel === normalisedPath(exercise.manifest.debrief)) ||
      rel.startsWith(`${app}/`);
    const inSolution = (rel: string): boolean =>
      solution !== undefined && (rel === solution || rel.startsWith(`${solution}/`));
    for (const rel of await listFiles(exercise.dir)) {
      if (kind === 'learners' && !forLearners(rel)) continue;
      const role = inSolution(rel) ? 'solution' : 'exercise';
      add(`${name}/${rel}`, await readFile(toNative(exercise.dir, rel)), role);
    }
  }
  const manifest: PackManifest = {
    format: 'leakhunt-pack',
    formatVersion: 1,
    set: { name: set.name, version: set.version, author: set.author },
    kind,
    includesSolutions: files.some((f) => f.role === 'solution'),
    files,
  };
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), PACK_MANIFEST, {
    mtime: FIXED_MTIME,
    mode: 0o100644,
  });
  for (const file of files)
    zip.addBuffer(contents.get(file.path) as Buffer, file.path, {
      mtime: FIXED_MTIME,
      mode: 0o100644,
    });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  await mkdir(dirname(resolve(outFile)), { recursive: true });
  await writeFile(outFile, Buffer.concat(chunks));
  return manifest;
}

export interface UnpackResult {
  dest: string;
  set: ExerciseSet;
  manifest: PackManifest;
  /** Who the pack is for; also recorded, with the pack's hash, in the set's origin file. */
  kind: PackKind;
  origin: PackOrigin;
  files: number;
  bytes: number;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Why an entry name may not be written, or undefined when it is a plain relative path. */
function nameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 1024) return 'has an empty or over-long name';
  if (name.includes('\\')) return 'uses backslashes';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path';
  // Control characters act on terminals; bidi overrides make a name read as another one.
  if (printable(name) !== name) return 'contains control characters or bidi overrides';
  if (name.includes(':')) return 'contains a colon';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((p) => p === '..')) return "climbs out with '..'";
  if (parts.some((p) => p === '' || p === '.')) return 'has an empty or "." path segment';
  return undefined;
}

function reject(message: string): never {
  throw new PackError(`pack rejected: ${message}`);
}

/** An entry name for a message: quoted, with control characters and bidi overrides escaped. */
function quoted(name: string): string {
  return `'${printable(name)}'`;
}

/** Why two entry names collide once normalised for case-insensitive, normalising file systems. */
function clashProblem(first: string, second: string): string {
  if (first === second) return `entry ${quoted(second)} appears twice`;
  const same =
    first.normalize('NFC') === second.normalize('NFC')
      ? 'are the same name in two Unicode normalisation forms (NFC and NFD)'
      : first.toLowerCase() === second.toLowerCase()
        ? 'differ only in case'
        : 'differ only in case and Unicode normalisation';
  return `entries ${quoted(first)} and ${quoted(second)} ${same}`;
}

function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolveZip, rejectZip) => {
    yauzl.fromBuffer(
      buffer,
      { lazyEntries: true, decodeStrings: true, strictFileNames: true, validateEntrySizes: true },
      (error, zip) => (error ? rejectZip(error) : resolveZip(zip)),
    );
  });
}

function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, budget: number): Promise<Buffer> {
  return new Promise((resolveData, rejectData) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return rejectData(error);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > budget) {
          stream.destroy(new Error('more bytes than the pack declares'));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', rejectData);
      stream.on('end', () => resolveData(Buffer.concat(chunks)));
    });
  });
}

/** Reads every entry into memory, checking names, types and sizes; nothing touches the disk. */
async function readPack(buffer: Buffer, limits: UnpackLimits): Promise<Map<string, Buffer>> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(buffer);
  } catch (error) {
    reject(`not a readable zip (${(error as Error).message})`);
  }
  if (zip.entryCount > limits.maxFiles)
    reject(`${zip.entryCount} entries, more than the limit of ${limits.maxFiles}`);
  const files = new Map<string, Buffer>();
  const folded = new Map<string, string>();
  let total = 0;
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        void (async () => {
          const name = entry.fileName;
          const problem = nameProblem(name);
          if (problem) reject(`entry ${quoted(name)} ${problem}`);
          const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
          const isDir = name.endsWith('/');
          if (type === 0o120000) reject(`entry ${quoted(name)} is a symbolic link`);
          if (type !== 0 && type !== S_IFREG && !(isDir && type === S_IFDIR))
            reject(`entry ${quoted(name)} is not a regular file`);
          if (entry.isEncrypted()) reject(`entry ${quoted(name)} is encrypted`);
          const key = name.replace(/\/$/, '').normalize('NFC').toLowerCase();
          const clash = folded.get(key);
          if (clash !== undefined) reject(clashProblem(clash, name));
          folded.set(key, name);
          if (isDir) return zip.readEntry();
          total += entry.uncompressedSize;
          if (total > limits.maxTotalBytes)
            reject(`more than ${limits.maxTotalBytes} bytes uncompressed`);
          if (
            entry.uncompressedSize > 64 * 1024 &&
            entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxCompressionRatio
          )
            reject(
              `entry ${quoted(name)} expands more than ${limits.maxCompressionRatio} times (zip bomb?)`,
            );
          let data: Buffer;
          try {
            data = await readEntry(zip, entry, entry.uncompressedSize);
          } catch (error) {
            reject(`entry ${quoted(name)} is damaged (${(error as Error).message})`);
          }
          files.set(name, data);
          zip.readEntry();
        })().catch(fail);
      });
      zip.readEntry();
    });
  } catch (error) {
    if (error instanceof PackError) throw error;
    reject(`not a readable zip (${(error as Error).message})`);
  } finally {
    zip.close();
  }
  return files;
}

function parseJson(name: string, data: Buffer | undefined): unknown {
  if (!data) reject(`${name} is missing`);
  try {
    return JSON.parse(withoutBom(data.toString('utf8'))) as unknown;
  } catch {
    reject(`${name} is not JSON`);
  }
}

/** Checks the pack manifest against the entries and the set and exercises against the schemas. */
function checkContents(files: Map<string, Buffer>): {
  manifest: PackManifest;
  set: ExerciseSet;
  kind: PackKind;
} {
  const manifest = parseJson(PACK_MANIFEST, files.get(PACK_MANIFEST)) as PackManifest;
  if (
    manifest?.format !== 'leakhunt-pack' ||
    manifest.formatVersion !== 1 ||
    !Array.isArray(manifest.files)
  )
    reject(`${PACK_MANIFEST} is not a Leak Hunt pack manifest (format 1)`);
  if (manifest.kind !== undefined && manifest.kind !== 'learners' && manifest.kind !== 'graders')
    reject(`${PACK_MANIFEST} names an unknown kind of pack`);
  const kind = manifest.kind ?? 'graders';
  if (kind === 'learners' && manifest.files.some((f) => f?.role === 'solution'))
    reject(`a learners' pack may not hold solution files`);
  const listed = new Map<string, PackFile>();
  for (const file of manifest.files) {
    if (typeof file?.path !== 'string' || typeof file.sha256 !== 'string')
      reject(`${PACK_MANIFEST} has a malformed file entry`);
    if (nameProblem(file.path))
      reject(`${PACK_MANIFEST} lists an unsafe path ${quoted(file.path)}`);
    listed.set(file.path, file);
  }
  for (const name of files.keys())
    if (name !== PACK_MANIFEST && !listed.has(name))
      reject(`${quoted(name)} is not in ${PACK_MANIFEST}`);
  for (const file of listed.values()) {
    const data = files.get(file.path);
    if (!data) reject(`${quoted(file.path)} is listed in ${PACK_MANIFEST} but missing`);
    if (sha256(data) !== file.sha256 || data.length !== file.size)
      reject(`${quoted(file.path)} does not match its checksum`);
  }
  const setValue = parseJson('set.json', files.get('set.json'));
  const setIssues = setProblems(setValue);
  if (setIssues.length) reject(`set.json ${setIssues[0]?.where}: ${setIssues[0]?.message}`);
  const set = setValue as ExerciseSet;
  for (const name of files.keys()) {
    const top = name.split('/')[0] ?? '';
    if (name !== PACK_MANIFEST && name !== 'set.json' && !set.exercises.includes(top))
      reject(`${quoted(name)} belongs to no exercise of the set`);
  }
  for (const id of set.exercises) {
    const value = parseJson(`${id}/exercise.json`, files.get(`${id}/exercise.json`));
    const issues = manifestProblems(value);
    if (issues.length) reject(`${id}/exercise.json ${issues[0]?.where}: ${issues[0]?.message}`);
    const exercise = value as ExerciseManifest;
    const under = (folder: string): boolean =>
      [...files.keys()].some((n) => n.startsWith(`${id}/${folder.replace(/\/+$/, '')}/`));
    if (!files.has(`${id}/${exercise.scenario}`))
      reject(`${id}: scenario ${quoted(exercise.scenario)} is missing`);
    if (!under(exercise.app ?? 'app')) reject(`${id}: the app folder is missing`);
    if (exercise.debrief !== undefined && !files.has(`${id}/${normalisedPath(exercise.debrief)}`))
      reject(`${id}: debrief ${quoted(exercise.debrief)} is missing`);
    const solution = exercise.solution;
    if (solution !== undefined) {
      if (kind === 'graders' && !under(solution))
        reject(`${id}: the solution folder is missing (a graders' pack holds the solutions)`);
      if (kind === 'learners' && under(solution))
        reject(`${id}: a learners' pack may not hold the solution folder`);
    }
  }
  return { manifest, set, kind };
}

/**
 * Unpacks a pack into `dest` (which must not exist or be empty). Packs are hostile input: the
 * whole archive is read and checked in memory first — names, links, duplicates, sizes,
 * checksums, schemas — then written to a staging folder beside `dest` and renamed into place,
 * so a rejected pack leaves nothing behind. Used by `leakhunt unpack` and the editor's import.
 */
export async function unpackPack(
  file: string,
  dest: string,
  limits: UnpackLimits = DEFAULT_UNPACK_LIMITS,
): Promise<UnpackResult> {
  const target = resolve(dest);
  let packBytes: Buffer;
  try {
    // Only a regular file: a FIFO or a device would block the read or never end.
    packBytes = await readRegularFile(file, limits.maxPackBytes);
  } catch (error) {
    if (error instanceof FileTooLargeError)
      reject(`the file is larger than ${limits.maxPackBytes} bytes`);
    throw new PackError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let destEntries: string[] | undefined;
  try {
    destEntries = await readdir(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new PackError(`cannot use ${dest}: ${(error as Error).message}`, { cause: error });
  }
  // Not the pack's fault: said without "pack rejected".
  if (destEntries?.length)
    throw new PackError(
      `the destination ${dest} is not empty (${destEntries.length} entries); unpack into a new or empty folder`,
    );
  const files = await readPack(packBytes, limits);
  const { manifest, set, kind } = checkContents(files);
  const origin: PackOrigin = {
    format: 'leakhunt-origin',
    formatVersion: 1,
    pack: basename(file),
    packSha256: sha256(packBytes),
    kind,
    set: { name: set.name, version: set.version, author: set.author },
    unpackedAt: new Date().toISOString(),
  };
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(join(parent, `.${basename(target)}.unpacking-`));
  let bytes = 0;
  try {
    for (const [name, data] of files) {
      if (name === PACK_MANIFEST) continue;
      const path = toNative(staging, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, data, { flag: 'wx' });
      bytes += data.length;
    }
    // Everything in it runs only after the user agreed: the origin says where it came from.
    await writeOrigin(staging, origin);
    if (destEntries) await rmdir(target);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new PackError(`cannot write ${dest}: ${(error as Error).message}`, { cause: error });
  }
  return { dest: target, set, manifest, kind, origin, files: files.size - 1, bytes };
}
