import {
  allocationLine,
  callLine,
  classifyStack,
  escapeRegExp,
  frameOrigin,
  functionRange,
  isModuleFrame,
  packageOf,
  packageUseLine,
  soleCallLine,
  type LineRange,
} from './allocations';
import type { AllocationSite, DiffResult, LeakSuspect, SourceLocation } from './results';
import { MAX_SOURCE_BYTES, SourceFiles, toPath } from './sourceMaps';

/**
 * The line in `lines` (within `range`, 0-based lines) where `owner` is added to —
 * `cache[key] = …`, `cache.set(`, `.push(`, `.add(`, `.unshift(` — or else where it is
 * declared; 1-based. Undefined when `owner` is not a plain name or neither is found.
 */
export function findOwnerStore(
  lines: string[],
  owner: string | undefined,
  range: LineRange = { from: 0, to: lines.length },
  { storesOnly = false } = {},
): { line: number; column: number } | undefined {
  if (!owner || !/^[A-Za-z_$][\w$]*$/.test(owner)) return undefined;
  const name = escapeRegExp(owner);
  // `owner` as a variable or as a property (`this.owner`), not as part of a longer name.
  const ref = `(?<![\\w$])${name}(?![\\w$])`;
  const stores = [
    new RegExp(`${ref}\\s*\\[[^\\]\\n]*\\]\\s*=(?!=)`),
    new RegExp(`${ref}\\s*\\.\\s*(?:set|push|add|unshift)\\s*\\(`),
  ];
  const declarations = [new RegExp(`(?:const|let|var)\\s+${ref}`), new RegExp(`${ref}\\s*=(?!=)`)];
  const patterns = storesOnly ? stores : [...stores, ...declarations];
  for (const pattern of patterns) {
    for (let index = range.from; index < range.to; index++) {
      const line = lines[index]!;
      const trimmed = line.trimStart();
      if (trimmed.startsWith('//') || trimmed.startsWith('*')) continue;
      const match = pattern.exec(line);
      if (match) return { line: index + 1, column: match.index + 1 };
    }
  }
  return undefined;
}

/**
 * V8 records where functions are, not where variables are: objects held by a module-level
 * `const cache = {}` are located at whichever closure captures `cache`. Given the owner's name,
 * this finds the line in that file where the owner is added to (see {@link findOwnerStore}),
 * so "Go to source" lands on the guilty line. Returns the location unchanged when not found.
 */
export async function pinpointOwner(
  location: SourceLocation,
  owner: string | undefined,
  files = new SourceFiles(),
  path: string[] = [],
): Promise<SourceLocation> {
  if (!owner || !toPath(location.file)) return location;
  const text = await files.text(location.file);
  // A generated bundle is no place to point a learner at.
  if (text === undefined || text.length > MAX_SOURCE_BYTES) return location;
  const lines = text.split('\n');
  let found = findOwnerStore(lines, owner);
  // Innermost first: the nearest variable of the user's module that the path runs through.
  for (const name of moduleVariables(path, location.file).reverse())
    found ??= findOwnerStore(lines, name, undefined, { storesOnly: true });
  return found ? { file: location.file, ...found } : location;
}

/**
 * The named steps of a path that starts in `file`'s module scope, outermost first: with
 * `(module server.js) → pages → opts → store`, the owner `store` lives inside a library's
 * object, so the user's own code never names it; its line is where it adds to `pages`.
 */
function moduleVariables(path: string[], file: string): string[] {
  const start = /^\(module (.+)\)$/.exec(path[0] ?? '');
  const base = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  if (!start || start[1] !== base) return [];
  return path.slice(1).filter((step) => /^[A-Za-z_$][\w$]*$/.test(step));
}

/** The stack with every frame mapped through its script's source map, origins re-read. */
export async function mapStack(site: AllocationSite, files: SourceFiles): Promise<AllocationSite> {
  const stack = await Promise.all(
    site.stack.map(async (frame) => {
      if (frame.origin === 'node') return frame;
      const { name, ...mapped } = await files.original(frame);
      if (mapped.file === frame.file && mapped.line === frame.line) return frame;
      // A bundler may have renamed the function (`makeWidget2`); the map knows its name.
      const functionName = frame.functionName && name ? name : frame.functionName;
      return { ...frame, ...mapped, functionName, origin: frameOrigin(mapped.file) };
    }),
  );
  return { stack, ...classifyStack(stack) };
}

/**
 * The line in the user's innermost frame that allocates the suspect's example: the call of the
 * next-inner frame, else (the user frame allocates itself) `new Class(`, the `{a, b}` literal or
 * the closure itself, else the store into the owner, else the function's start. V8 gives only
 * where functions start, so the function's text is read and searched: the script V8 ran first
 * (its function names are V8's, even where a bundler renamed them), the result mapped to the
 * original source; else the original source, when only that can be read.
 */
async function userLine(
  suspect: LeakSuspect,
  raw: AllocationSite,
  site: AllocationSite,
  files: SourceFiles,
): Promise<SourceLocation | undefined> {
  const u = site.userFrame;
  if (u === undefined) return undefined;
  const frame = site.stack[u]!;
  const ran = raw.stack[u]!;
  const moduleFrame = isModuleFrame(ran);
  const configured = await configuringLine(site, u, files);
  if (configured) return configured;
  if (u === 0 && suspect.name === '(closure)' && suspect.location) {
    const { file, line, column } = await files.original(suspect.location);
    return { file, line, column };
  }
  // The script V8 ran, with V8's names, then the original source with the map's names.
  const texts: [string | undefined, SourceLocation, string | undefined][] = [
    [await files.text(ran.file), ran, raw.stack[u - 1]?.functionName],
  ];
  if (frame.file !== ran.file)
    texts.push([await files.text(frame.file), frame, site.stack[u - 1]?.functionName]);
  const searches = texts.flatMap(([text, start, inner]) => {
    if (text === undefined) return [];
    const lines = text.split('\n');
    return [{ lines, start, inner, range: functionRange(lines, start, moduleFrame) }];
  });
  const at = async (
    search: (typeof searches)[number],
    found: { line: number; column: number } | undefined,
  ): Promise<SourceLocation | undefined> => {
    if (!found) return undefined;
    const location = { file: search.start.file, ...found };
    if (search.start === frame) return location;
    const { file, line, column } = await files.original(location);
    return { file, line, column };
  };
  const enteredPackage = u > 0 ? packageOf(site.stack[u - 1]!.file) : undefined;
  for (const search of searches) {
    const { lines, range, inner } = search;
    const found =
      inner !== undefined
        ? callLine(lines, range, inner, enteredPackage)
        : allocationLine(lines, range, suspect.name);
    const location = await at(search, found);
    if (location) return location;
  }
  // The next-inner frame's name is not in the source (`module.exports`) or V8 inlined it away
  // (an object the user frame did not visibly allocate itself came from an inlined call): the
  // user's use of that frame's package, else the store into the owner, else the body's one call.
  for (const search of searches) {
    const found =
      (enteredPackage && packageUseLine(search.lines, enteredPackage, search.range)) ||
      findOwnerStore(search.lines, suspect.owner, search.range) ||
      (!moduleFrame && (u > 0 || namesAnObject(suspect.name))
        ? soleCallLine(search.lines, search.range)
        : undefined);
    const location = await at(search, found);
    if (location) return location;
  }
  // A module's top level starts at 1:1, which says nothing about the leak.
  return moduleFrame ? undefined : positionOf(frame);
}

/**
 * When the library that allocates is reached through another one (a session store filled from
 * the web framework's `res.end`, called by a handler that never mentions sessions), the user's
 * line is where their module sets that library up (`app.use(session({ … }))`), not the
 * handler's call into the framework.
 */
async function configuringLine(
  site: AllocationSite,
  u: number,
  files: SourceFiles,
): Promise<SourceLocation | undefined> {
  if (site.libraryFrame === undefined || u === 0) return undefined;
  const allocating = packageOf(site.stack[site.libraryFrame]!.file);
  const entered = packageOf(site.stack[u - 1]!.file);
  if (!allocating || !entered || allocating === entered) return undefined;
  const file = site.stack[u]!.file;
  const text = await files.text(file);
  const found = text === undefined ? undefined : packageUseLine(text.split('\n'), allocating);
  return found && { file, ...found };
}

/** A class or `{a, b}` shape: something `new` or a literal makes, unlike strings or arrays. */
function namesAnObject(className: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(className) || /^\{.*\}$/.test(className);
}

function positionOf(frame: SourceLocation): SourceLocation {
  return { file: frame.file, line: frame.line, column: frame.column };
}

/**
 * Sends a suspect to the line the user should read: with an allocation stack, the user's own
 * line that allocated the group (source-mapped); otherwise the line that adds to its owner.
 */
async function pinpointSuspect(suspect: LeakSuspect, files: SourceFiles): Promise<LeakSuspect> {
  const ownerLine = async (): Promise<LeakSuspect> => {
    if (!suspect.location) return suspect;
    const location = await pinpointOwner(suspect.location, suspect.owner, files, suspect.path);
    // A script's first character is its top level, not a line that leaks: no line beats that.
    if (location.line === 1 && location.column === 1) {
      const { location: _dropped, ...rest } = suspect;
      return rest;
    }
    return { ...suspect, location };
  };
  if (!suspect.allocation) return ownerLine();
  const raw = suspect.allocation;
  const site = await mapStack(raw, files);
  const line = await userLine(suspect, raw, site, files);
  if (!line) return { ...(await ownerLine()), allocation: site };
  return { ...suspect, allocation: { ...site, line }, location: line };
}

/** Moves each suspect's location to its allocating or owner-storing line (async file reads). */
export async function pinpointSuspects(result: DiffResult): Promise<DiffResult> {
  const files = new SourceFiles();
  const suspects = await Promise.all(
    result.suspects.map((suspect) => pinpointSuspect(suspect, files)),
  );
  return { ...result, suspects };
}
