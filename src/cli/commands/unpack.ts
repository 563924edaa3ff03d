import { resolve } from 'node:path';
import { printable } from '../../common/text';
import { PackError, unpackPack } from '../../exercises';
import { originFile } from '../../exercises/consent';
import { UsageError, type CliCommand } from '../command';

/** `leakhunt unpack`: the editor's import, from the command line; hostile packs are refused whole. */
export const unpackCommand: CliCommand = {
  usage: '<file> <dest>',
  options: {},
  examples: ['leakhunt unpack leak-hunt-exercises.zip ./exercises-2026'],
  async run({ positionals }, io) {
    if (positionals.length !== 2)
      throw new UsageError('expects a pack file and a destination folder');
    try {
      const result = await unpackPack(
        resolve(io.cwd, positionals[0]!),
        resolve(io.cwd, positionals[1]!),
      );
      const kind =
        result.kind === 'learners'
          ? "learners' pack (no solutions)"
          : "graders' pack (with reference solutions)";
      io.out(
        printable(
          `${result.dest}: ${result.set.name} ${result.set.version}, a ${kind}, ${result.set.exercises.length} exercises, ${result.files} files, ${result.bytes} bytes`,
        ),
      );
      io.out(
        `Its commands run only with --allow-commands (hunt, check, validate, verify, grade); ` +
          `where it came from is in ${originFile(result.dest)}.`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      io.err(`leakhunt unpack: ${error.message}`);
      // A refused pack is an error like any other command's: exit 2 (1 means "leak" elsewhere).
      return 2;
    }
  },
};
