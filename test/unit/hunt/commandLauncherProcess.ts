// Stands in for the `leakhunt` CLI in commandRig.test.ts: a process of its own that runs a start
// command through the real rig, prints the serving pid and the group, then waits inside the work
// so the test can kill it with SIGKILL (no exit handler of ours runs then).
//   node commandLauncherProcess.js <cwd> <program> [args…]
import { readFileSync } from 'node:fs';
import { withCommandRig } from '../../../src/hunt';

async function main(): Promise<void> {
  const [cwd, ...command] = process.argv.slice(2);
  if (!cwd || command.length === 0)
    throw new Error('usage: commandLauncherProcess.js <cwd> <cmd…>');
  await withCommandRig({ command, cwd, env: { npm_config_update_notifier: 'false' } }, (rig) => {
    const pid = rig.services[0]!.session.pid!;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    process.stdout.write(`${JSON.stringify({ pid, group })}\n`);
    return new Promise(() => setInterval(() => undefined, 60_000));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
