import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchdog } from '../common/watchdog';

/**
 * Runs `work` in a new temporary folder (`<tmp>/<prefix>XXXXXX`) that is kept only when `work`
 * succeeds, like the hunt's default snapshot folder, which the user is shown afterwards. When
 * `work` fails or is interrupted (Ctrl-C, SIGTERM) the folder is removed, or named through
 * `onLeftover` if it cannot be; if this process is killed outright, the watchdog removes it.
 */
export async function withFolderKeptOnSuccess<T>(
  prefix: string,
  work: (dir: string) => Promise<T>,
  onLeftover: (message: string) => void,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const unguard = watchdog.removeOnDeath(dir);
  try {
    return await work(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true }).catch((rmError: Error) =>
      onLeftover(
        `could not remove the temporary folder ${dir} (${rmError.message}): remove it yourself`,
      ),
    );
    throw error;
  } finally {
    unguard();
  }
}
