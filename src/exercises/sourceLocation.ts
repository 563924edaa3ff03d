import type { SourceMapping } from 'node:module';
import { isAbsolute, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSourceMap, sourcePath } from '../heap/sourceMaps';
import { hashFiles, sha256, toNative } from './files';

/** A 1-based position in a file, as the heap engine reports suspects' locations. */
export interface FileLocation {
  file: string;
  line: number;
  column: number;
}

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** The path of `file` relative to `dir` with forward slashes, or undefined when it is outside. */
function inside(dir: string, file: string): string | undefined {
  if (!isAbsolute(file)) return undefined; // `node:timers`, `evalmachine.<anonymous>`…
  const rel = relative(dir, file);
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/**
 * Maps locations found in a set-up copy of an exercise's app (`copyDir`) to the exercise's own
 * app folder (`appDir`), so they stay valid after the copy is removed. A file that setup built
 * and that carries a source map (inline or a `.map` file) is traced to its source: the map's path when it names a
 * file of the app, else the app file whose text equals the map's embedded source (transpilers
 * often record only the base name). Other files keep their relative path; locations outside the
 * copy are returned as they are.
 */
export async function createLocationMapper(
  copyDir: string,
  appDir: string,
): Promise<(location: FileLocation) => Promise<FileLocation>> {
  const appFiles = await hashFiles(appDir);
  const byHash = new Map<string, string | null>();
  for (const [rel, hash] of Object.entries(appFiles))
    byHash.set(hash, byHash.has(hash) ? null : rel); // null: identical files, no single answer

  return async (location) => {
    const file = toPath(location.file);
    const rel = inside(copyDir, file);
    if (rel === undefined) return location;
    const fallback = { ...location, file: toNative(appDir, rel) };
    const loaded = await readSourceMap(file);
    if (!loaded) return fallback;
    const { payload } = loaded;
    const entry = loaded.map.findEntry(location.line - 1, location.column - 1);
    if (!('originalSource' in entry)) return fallback;
    const mapped = entry as SourceMapping;
    const index = payload.sources.indexOf(mapped.originalSource);
    const named = inside(copyDir, sourcePath(loaded, mapped.originalSource));
    const content = payload.sourcesContent?.[index];
    const source =
      named !== undefined && named in appFiles
        ? named
        : content !== undefined
          ? byHash.get(sha256(content))
          : undefined;
    if (!source) return fallback;
    return {
      file: toNative(appDir, source),
      line: mapped.originalLine + 1,
      column: mapped.originalColumn + 1,
    };
  };
}
