import type { CliCommand } from '../command';
import { ladderLines, verdictLines } from '../huntReport';
import { HUNT_USAGE, resolveTarget, runOnTarget, targetOptions } from './hunt';

/** Exit codes of `leakhunt check`, for CI and graders. */
const EXIT = { 'no-leak': 0, leak: 1, inconclusive: 3 } as const;

/** `leakhunt check`: the leak verdict alone, as an exit code for CI and graders. */
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
    const report = await runOnTarget(target, 'check', values, io);
    if (values.json === true) io.out(JSON.stringify(report, null, 2));
    else for (const line of [...verdictLines(report), ...ladderLines(report)]) io.out(line);
    return EXIT[report.verdict];
  },
};
