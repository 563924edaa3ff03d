import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './results';

/** Larger files are not read: a generated bundle is no place to point a learner at. */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
/** Scripts (bundles too) are read for their source map and allocating lines up to this size. */
export const MAX_SCRIPT_BYTES = 64 * 1024 * 1024;

// The last `sourceMappingURL` comment of a script, as V8 and Node read it.
const MAP_COMMENT = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/;
const DATA_URL = /^data:application\/json[^,]*;base64,([A-Za-z0-9+/=]+)$/;

/** A script's source map: the payload, its `SourceMap`, and the file sources resolve against. */
export interface LoadedSourceMap {
  payload: SourceMapPayload;
  map: SourceMap;
  /** The generated file for an inline map, the `.map` file otherwise. */
  base: string;
}

/** A path for `file`, which may be a `file://` URL; undefined for `node:…` and other URLs. */
export function toPath(file: string): string | undefined {
  if (file.startsWith('file://')) return fileURLToPath(file);
  return isAbsolute(file) ? file : undefined;
}

/** Reads a source file (path or `file://` URL), or undefined when it is absent or too large. */
export async function readSource(
  file: string,
  limit = MAX_SOURCE_BYTES,
): Promise<string | undefined> {
  const path = toPath(file);
  if (!path) return undefined;
  try {
    if ((await stat(path)).size > limit) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parsePayload(json: string): SourceMapPayload | undefined {
  try {
    const payload = JSON.parse(json) as SourceMapPayload;
    if (!payload || !Array.isArray(payload.sources) || typeof payload.mappings !== 'string')
      return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

/**
 * The source map of a script, read from its `//# sourceMappingURL=` comment: an inline
 * base64 `data:` URL or a `.map` file next to it. `text` is the script when already read.
 */
export async function readSourceMap(
  file: string,
  text?: string,
): Promise<LoadedSourceMap | undefined> {
  const path = toPath(file);
  if (!path) return undefined;
  const source = text ?? (await readSource(path, MAX_SCRIPT_BYTES));
  if (source === undefined) return undefined;
  // Only the tail holds the comment; a regex over a whole bundle would be slow.
  const match = MAP_COMMENT.exec(source.slice(-64 * 1024).trimEnd());
  if (!match) return undefined;
  const url = match[1]!;
  const inline = DATA_URL.exec(url);
  let payload: SourceMapPayload | undefined;
  let base = path;
  if (inline) payload = parsePayload(Buffer.from(inline[1]!, 'base64').toString('utf8'));
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('file://')) {
    base = url.startsWith('file://') ? fileURLToPath(url) : resolve(dirname(path), url);
    const json = await readSource(base, MAX_SCRIPT_BYTES);
    payload = json === undefined ? undefined : parsePayload(json);
  }
  if (!payload) return undefined;
  try {
    return { payload, map: new SourceMap(payload), base };
  } catch {
    return undefined;
  }
}

/** Where a map's source entry lives on disk (sources are relative to the map and its root). */
export function sourcePath(loaded: LoadedSourceMap, source: string): string {
  if (source.startsWith('file://')) return fileURLToPath(source);
  return resolve(dirname(loaded.base), loaded.payload.sourceRoot ?? '', source);
}

/** The original position of a 1-based generated location, or undefined when unmapped. */
export function originalPosition(
  loaded: LoadedSourceMap,
  line: number,
  column: number,
): { source: string; line: number; column: number; name?: string } | undefined {
  const entry = loaded.map.findEntry(Math.max(0, line - 1), Math.max(0, column - 1));
  if (!('originalSource' in entry)) return undefined;
  // Node's typings omit `name`, which it returns for mappings that record one.
  const mapped = entry as SourceMapping & { name?: string };
  // findEntry falls back to the last mapping before the position, even on an earlier line.
  if (mapped.generatedLine !== line - 1) return undefined;
  return {
    source: mapped.originalSource,
    line: mapped.originalLine + 1,
    column: mapped.originalColumn + 1,
    // The original name of a renamed identifier (a bundler's `makeWidget2`).
    ...(mapped.name ? { name: mapped.name } : {}),
  };
}

/**
 * Source texts and maps read once per pass (one diff's suspects share most of their files),
 * and locations mapped to their original sources.
 */
export class SourceFiles {
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly maps = new Map<string, Promise<LoadedSourceMap | undefined>>();
  private readonly sources = new Map<string, Promise<string | undefined>>();

  /** The text of `file` (up to 64 MiB): from disk, else the `sourcesContent` a map gave. */
  text(file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = readSource(file, MAX_SCRIPT_BYTES);
      this.texts.set(file, text);
    }
    return text;
  }

  /**
   * Where a map's source really is. Transpilers run file by file often record only the base
   * name (`server.ts` next to `dist/server.js`): then the one file of the project with that name
   * (and the map's embedded text, when it has one) is the source. Undefined when none is found.
   */
  private existing(
    named: string,
    script: string,
    content: string | undefined,
  ): Promise<string | undefined> {
    let found = this.sources.get(named);
    if (!found) {
      found = (async () => {
        if ((await readSource(named, MAX_SCRIPT_BYTES)) !== undefined) return named;
        const scriptPath = toPath(script);
        if (!scriptPath) return undefined;
        const matches: string[] = [];
        for (const candidate of await filesNamed(projectRoot(scriptPath), basename(named))) {
          if (content === undefined || (await readSource(candidate)) === content)
            matches.push(candidate);
        }
        return matches.length === 1 ? matches[0] : undefined;
      })();
      this.sources.set(named, found);
    }
    return found;
  }

  map(file: string): Promise<LoadedSourceMap | undefined> {
    let map = this.maps.get(file);
    if (!map) {
      // A bundle too large to scan for lines still maps to sources that are not.
      map = this.text(file).then((text) => readSourceMap(file, text));
      this.maps.set(file, map);
    }
    return map;
  }

  /**
   * `location` in the original source when its script has a source map, else unchanged; with
   * the original name of the identifier there when the map records one.
   */
  async original(location: SourceLocation): Promise<SourceLocation & { name?: string }> {
    const loaded = await this.map(location.file);
    if (!loaded) return location;
    const mapped = originalPosition(loaded, location.line, location.column);
    if (!mapped) return location;
    const index = loaded.payload.sources.indexOf(mapped.source);
    const content = loaded.payload.sourcesContent?.[index];
    const named = sourcePath(loaded, mapped.source);
    const file = await this.existing(named, location.file, content);
    // A map whose source cannot be found is no better than the script itself.
    if (!file) return location;
    // A source that exists only inside the map can still be scanned for lines.
    if (typeof content === 'string' && !this.texts.has(file))
      this.texts.set(
        file,
        readSource(file, MAX_SCRIPT_BYTES).then((text) => text ?? content),
      );
    return {
      file,
      line: mapped.line,
      column: mapped.column,
      ...(mapped.name ? { name: mapped.name } : {}),
    };
  }
}

/** The folder of the nearest `package.json` above `file` (at most six levels), else its folder. */
function projectRoot(file: string): string {
  let dir = dirname(file);
  for (let i = 0; i < 6; i++) {
    // A build folder's package.json often only sets the module type (`dist/package.json`).
    if (existsSync(join(dir, 'package.json')) && basename(dir) !== 'dist') return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirname(file);
}

/** Files called `name` below `root`, outside `node_modules` and dot folders; bounded. */
async function filesNamed(
  root: string,
  name: string,
  budget = { entries: 5000 },
): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const entry of entries) {
    if (--budget.entries < 0) break;
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(root, entry.name);
    if (entry.isDirectory()) found.push(...(await filesNamed(path, name, budget)));
    else if (entry.name === name) found.push(path);
  }
  return found;
}
