import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * The folder the `leakHunt.exercisesFolder` setting names, as an absolute path. `~` and `~/…`
 * are the home folder, as a learner types them; any other relative path is taken from the home
 * folder too. Left relative, a path would be resolved against the extension host's working
 * directory, which is wherever VS Code (or code-server) was started from, not a place a learner
 * chose, and not the same for every window.
 */
export function resolveExercisesFolder(setting: string, home: string): string {
  const value = setting.trim();
  if (!value) return join(home, 'leak-hunt-exercises');
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(2));
  return isAbsolute(value) ? resolve(value) : resolve(home, value);
}

/** A fresh folder for exercise `name` under `parent`: `<name>`, then `<name>-2`, `<name>-3`… so no work is overwritten. */
export function freshFolder(parent: string, name: string): string {
  for (let n = 1; ; n++) {
    const candidate = join(parent, n === 1 ? name : `${name}-${n}`);
    if (!existsSync(candidate) || readdirSync(candidate).length === 0) return candidate;
  }
}
