// Stands in for the `leakhunt` CLI in watchdog.test.ts, for work other than a running service;
// the test kills it with SIGKILL mid-way, so no exit handler of ours runs.
//   node killedParent.js run <command>                runs a manifest command (a setup, validate's
//                                                     tests) in a temporary copy as validate does:
//                                                     prints the folder, then the command's output
//   node killedParent.js snapshot <appDir> <entry> <file>
//                                                     snapshots a service into <file>; once chunks
//                                                     arrive, prints the pid and stops dead
import { withTemporaryDir } from '../../../src/exercises/appCopy';
import { runCommand } from '../../../src/exercises/runner';
import { launchServices } from '../../../src/inspector/launch';

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'run') {
    const [command] = args;
    if (!command) throw new Error('usage: killedParent.js run <command>');
    await withTemporaryDir('leakhunt-killed-', async (dir) => {
      process.stdout.write(`${dir}\n`);
      await runCommand({ command }, dir, { onOutput: (text) => process.stdout.write(text) });
    });
  } else if (mode === 'snapshot') {
    const [appDir, entry, file] = args;
    if (!appDir || !entry || !file)
      throw new Error('usage: killedParent.js snapshot <appDir> <entry> <file>');
    const group = await launchServices({ appDir, services: [{ name: 'service', entry }] });
    const service = group.service('service');
    let told = false;
    await service.session.takeHeapSnapshot(file, {
      onProgress: (progress) => {
        if (told || progress.bytesWritten === 0) return;
        told = true;
        process.stdout.write(`${JSON.stringify({ pid: service.pid })}\n`);
        // Blocked for good, mid-snapshot: the partial file stays half-written until the kill.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      },
    });
  } else throw new Error(`unknown mode ${String(mode)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
