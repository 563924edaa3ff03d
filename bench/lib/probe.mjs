// Preloaded into every measured process (`node --import bench/lib/probe.mjs ...`): at exit it
// writes the process's peak RSS (VmHWM) and CPU time (user + system), both covering worker
// threads, to $BENCH_PROBE_FILE, so the runner measures ours and the anchors the same way
// without touching their code.
import { readFileSync, writeFileSync } from 'node:fs';

const target = process.env.BENCH_PROBE_FILE;
if (target) {
  process.on('exit', (code) => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
    const cpu = process.cpuUsage();
    writeFileSync(
      target,
      JSON.stringify({ peakRssKiB: kib, cpuUs: cpu.user + cpu.system, exitCode: code }),
    );
  });
}
