// Stands in for the `leakhunt` CLI or the extension host in launcherWatch.test.ts: a process of
// its own that launches one service through the real API, prints the service's pid and URL and
// then waits, so the test can kill it with SIGKILL (no exit handler of ours runs then).
//   node launcherProcess.js <appDir> <entry>
import { launchServices } from '../../../src/inspector/launch';

async function main(): Promise<void> {
  const [appDir, entry] = process.argv.slice(2);
  if (!appDir || !entry) throw new Error('usage: launcherProcess.js <appDir> <entry>');
  const group = await launchServices({ appDir, services: [{ name: 'service', entry }] });
  const service = group.service('service');
  process.stdout.write(`${JSON.stringify({ pid: service.pid, url: service.url })}\n`);
  // Nothing else keeps this process busy: it waits to be killed like a launcher mid-hunt.
  setInterval(() => undefined, 60_000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
