import { resolve } from 'node:path';
import { PackError, unpackPack } from '../../exercises';
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
      io.out(
        `${result.dest}: ${result.set.name} ${result.set.version}, ${result.set.exercises.length} exercises, ${result.files} files, ${result.bytes} bytes`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof PackError)) throw error;
      io.err(`leakhunt unpack: ${error.message}`);
      return 1;
    }
  },
};
