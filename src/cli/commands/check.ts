import { formatBytes, runLeakCheck } from '../../inspector';
import type { CliCommand } from '../command';
import { resolveTarget, targetOptions, untilTerminated, withTargetApp } from './hunt';

/** `leakhunt check`: the deterministic leak verdict, as an exit code for CI and graders. */
export const checkCommand: CliCommand = {
  usage: '<exercise-dir> | --entry <file.js> --request "GET /path" [...]',
  options: targetOptions,
  examples: [
    'leakhunt check exercises/user-sessions',
    'leakhunt check --entry server.js --request "GET /users/{n}" --count 1000 --threshold 512',
  ],
  async run({ positionals, values }, io) {
    const target = await resolveTarget(positionals, values, io);
    const nodePath = values.node as string | undefined;
    const result = await untilTerminated(io.signal, (signal) =>
      withTargetApp(target, { nodePath, signal, io }, (appDir) =>
        runLeakCheck({
          appDir,
          manifest: target.manifest,
          nodePath,
          signal,
          onProgress: (message) => io.err(message),
        }),
      ),
    );
    if (values.json === true) io.out(JSON.stringify(result, null, 2));
    else {
      const slope = `${formatBytes(result.bytesPerRequest)} per request`;
      const threshold = `threshold ${formatBytes(result.thresholdBytesPerRequest)}`;
      io.out(
        result.verdict === 'leak'
          ? `leak: '${result.service}' keeps ${slope} (${threshold}) and grew at every step`
          : `no leak: '${result.service}' keeps ${slope} (${threshold})` +
              (result.monotonic ? '' : '; its heap did not grow at every step'),
      );
      io.out('  requests  used heap after GC');
      for (const step of result.ladder)
        io.out(`  ${String(step.requests).padStart(8)}  ${formatBytes(step.usedHeap).padStart(9)}`);
    }
    return result.verdict === 'leak' ? 1 : 0;
  },
};
