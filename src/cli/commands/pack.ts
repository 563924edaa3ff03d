import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { packSet } from '../../exercises';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt pack`: one zip of a set, with checksums, for handing out and grading. */
export const packCommand: CliCommand = {
  usage: '<set-dir> -o <file>',
  options: {
    output: { type: 'string', short: 'o', valueName: '<file>', description: 'The .zip to write' },
  },
  examples: ['leakhunt pack exercises -o leak-hunt-exercises.zip'],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one set folder');
    if (typeof values.output !== 'string') throw new UsageError('needs -o <file>');
    const out = resolve(io.cwd, values.output);
    const manifest = await packSet(resolve(io.cwd, positionals[0]!), out);
    const solutions = manifest.files.filter((f) => f.role === 'solution').length;
    const { size } = await stat(out);
    io.out(
      `${out}: ${manifest.set.name} ${manifest.set.version}, ${manifest.files.length} files (${solutions} solution files for graders), ${size} bytes`,
    );
    return 0;
  },
};
