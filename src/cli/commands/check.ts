import { runExerciseChecks } from '../../exercises/leaks';
import type { CliCommand } from '../command';
import { ladderLines, verdictLines } from '../huntReport';
import { HUNT_USAGE, resolveTarget, runOnTarget, targetOptions } from './hunt';

/** Exit codes of `leakhunt check`, for CI and graders. */
const EXIT = { 'no-leak': 0, leak: 1, inconclusive: 3 } as const;

/**
 * `leakhunt check`: the leak verdict alone, as an exit code for CI and graders. On an exercise,
 * its top-level check and then each leak's own check, until one says leak (`--threshold`,
 * `--count` and `--warmup` apply to every one); `--json` prints the report that decided.
 */
export const checkCommand: CliCommand = {
  usage: HUNT_USAGE,
  takesCommand: true,
  options: targetOptions,
  examples: [
    'leakhunt check exercises/user-sessions',
    'leakhunt check --entry server.js --request "GET /users/{n}" --count 1000 --threshold 512',
    'leakhunt check --request "GET /users/{n}" --json -- npm start',
    'leakhunt check --attach ws://127.0.0.1:9229/<id> --url http://127.0.0.1:3000 --request "GET /x"',
  ],
  async run({ positionals, values, command }, io) {
    const target = await resolveTarget(positionals, values, io, command);
    const overrides = { ...target.manifest.check };
    const { reports, decisive } = await runExerciseChecks(target.manifest, (check) => {
      // The options given on the command line win over a leak's own check too.
      const manifest = { ...check.manifest, check: { ...check.manifest.check } };
      if (values.threshold !== undefined)
        manifest.check.thresholdBytesPerRequest = overrides.thresholdBytesPerRequest;
      if (values.count !== undefined) manifest.check.step = overrides.step;
      if (values.warmup !== undefined) manifest.check.warmup = overrides.warmup;
      return runOnTarget({ ...target, manifest }, 'check', values, io);
    });
    if (values.json === true) io.out(JSON.stringify(decisive, null, 2));
    else
      for (const { check, report } of reports) {
        if (reports.length > 1 || check.leaks.length) io.out(`${check.label}:`);
        for (const line of [...verdictLines(report), ...ladderLines(report)]) io.out(line);
      }
    return EXIT[decisive.verdict];
  },
};
