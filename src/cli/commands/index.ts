import type { CliCommand } from '../command';
import { validateCommand } from './validate';
import { packCommand } from './pack';
import { unpackCommand } from './unpack';
import { summaryCommand } from './summary';
import { diffCommand } from './diff';
import { huntCommand } from './hunt';
import { checkCommand } from './check';

/** Every `leakhunt` sub-command, in the order `leakhunt help` lists them. */
export const commands: CliCommand[] = [
  validateCommand,
  packCommand,
  unpackCommand,
  summaryCommand,
  diffCommand,
  huntCommand,
  checkCommand,
];
