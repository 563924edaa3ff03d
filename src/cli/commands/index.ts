import type { CliCommand } from '../command';

/** Every `leakhunt` sub-command, in the order `leakhunt help` lists them. */
export const commands: CliCommand[] = [];
