import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The folder holding Leak Hunt's own `package.json`, found by walking up from this file. The
 * same code runs bundled (`dist/`), transpiled for tests (`out/src/...`) and installed as a
 * .vsix, so a fixed relative path would be wrong in at least one of them.
 */
export function packageRoot(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === 'leak-hunt') return (cached = dir);
    if (dirname(dir) === dir)
      throw new Error(`Leak Hunt's package.json was not found above ${__dirname}`);
  }
}

function readManifest(path: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

export function packageVersion(): string {
  return readManifest(join(packageRoot(), 'package.json')).version ?? '0.0.0';
}

/** The built-in exercise set shipped with the extension and the CLI. */
export function builtInExercisesDir(): string {
  return join(packageRoot(), 'exercises');
}
