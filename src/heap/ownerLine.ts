import { readFile, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiffResult, SourceLocation } from './results';

/** Larger files are not read: a generated bundle is no place to point a learner at. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * V8 records where functions are, not where variables are: objects held by a module-level
 * `const cache = {}` are located at whichever closure captures `cache`. Given the owner's name,
 * this finds the line in that file where the owner is added to — `cache[key] = …`,
 * `cache.set(`, `.push(`, `.add(`, `.unshift(` — or else where it is declared, so "Go to
 * source" lands on the guilty line. Returns the location unchanged when neither is found.
 */
export async function pinpointOwner(
  location: SourceLocation,
  owner: string | undefined,
): Promise<SourceLocation> {
  if (!owner || !/^[A-Za-z_$][\w$]*$/.test(owner)) return location;
  const file = location.file.startsWith('file://') ? fileURLToPath(location.file) : location.file;
  if (!isAbsolute(file)) return location;
  let text: string;
  try {
    if ((await stat(file)).size > MAX_SOURCE_BYTES) return location;
    text = await readFile(file, 'utf8');
  } catch {
    return location;
  }
  const name = escapeRegExp(owner);
  // `owner` as a variable or as a property (`this.owner`), not as part of a longer name.
  const ref = `(?<![\\w$])${name}(?![\\w$])`;
  const patterns = [
    new RegExp(`${ref}\\s*\\[[^\\]\\n]*\\]\\s*=(?!=)`),
    new RegExp(`${ref}\\s*\\.\\s*(?:set|push|add|unshift)\\s*\\(`),
    new RegExp(`(?:const|let|var)\\s+${ref}`),
    new RegExp(`${ref}\\s*=(?!=)`),
  ];
  const lines = text.split('\n');
  for (const pattern of patterns) {
    for (const [index, line] of lines.entries()) {
      const trimmed = line.trimStart();
      if (trimmed.startsWith('//') || trimmed.startsWith('*')) continue;
      const match = pattern.exec(line);
      if (match) return { file: location.file, line: index + 1, column: match.index + 1 };
    }
  }
  return location;
}

/** Moves each suspect's location to the line that adds to its owner (see `pinpointOwner`). */
export async function pinpointSuspects(result: DiffResult): Promise<DiffResult> {
  const suspects = await Promise.all(
    result.suspects.map(async (suspect) =>
      suspect.location
        ? { ...suspect, location: await pinpointOwner(suspect.location, suspect.owner) }
        : suspect,
    ),
  );
  return { ...result, suspects };
}
