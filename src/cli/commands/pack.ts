import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { printable } from '../../common/text';
import { packSet } from '../../exercises';
import { UsageError, type CliCommand } from '../command';

/**
 * `leakhunt pack`: one zip of a set, with checksums, for learners (no solutions) or for graders.
 * The kind has no default: a forgotten flag must not hand the solutions to a class, and scripts
 * written when every pack held them fail loudly instead of quietly changing what they ship.
 */
export const packCommand: CliCommand = {
  usage: '<set-dir> (--learners | --graders) -o <file>',
  options: {
    learners: {
      type: 'boolean',
      description: 'A pack to hand out: exercise.json, scenario and app only, no solution',
    },
    graders: {
      type: 'boolean',
      description: 'A pack for graders and instructors: every file, reference solutions included',
    },
    output: { type: 'string', short: 'o', valueName: '<file>', description: 'The .zip to write' },
  },
  examples: [
    'leakhunt pack exercises --learners -o leak-hunt-exercises.zip',
    'leakhunt pack exercises --graders -o leak-hunt-exercises-graders.zip',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one set folder');
    if (values.learners === values.graders)
      throw new UsageError(
        'say who the pack is for: --learners (no solutions) or --graders (with solutions)',
      );
    if (typeof values.output !== 'string') throw new UsageError('needs -o <file>');
    const kind = values.learners ? 'learners' : 'graders';
    const out = resolve(io.cwd, values.output);
    const manifest = await packSet(resolve(io.cwd, positionals[0]!), out, { kind });
    const solutions = manifest.files.filter((f) => f.role === 'solution').length;
    const { size } = await stat(out);
    const holds =
      kind === 'learners'
        ? "learners' pack, no solutions"
        : `graders' pack, ${solutions} solution files`;
    io.out(
      `${out}: ${printable(manifest.set.name)} ${manifest.set.version}, ${manifest.files.length} files (${holds}), ${size} bytes`,
    );
    return 0;
  },
};
