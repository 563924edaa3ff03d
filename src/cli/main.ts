import { parseArgs } from 'node:util';
import { commands } from './commands';
import { UsageError, type CliCommand, type CliIo, type CommandEntry } from './command';
import { packageVersion } from '../common/packageRoot';
import { printableLines } from '../common/text';
import { stopOnInterrupt } from './interrupt';

function formatHelp(topic?: { entry: CommandEntry; command: CliCommand }): string {
  if (!topic) {
    const version = packageVersion();
    const width = Math.max(...commands.map((c) => c.name.length));
    return [
      `leakhunt ${version} — memory-leak hunting for Node.js services`,
      '',
      'Usage: leakhunt <command> [options]',
      '',
      'Commands:',
      ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      "Run 'leakhunt help <command>' for a command's options and examples.",
    ].join('\n');
  }
  const { entry, command } = topic;
  const flags = Object.entries(command.options).map(([name, spec]) => ({
    flag: `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''}`,
    description: spec.description,
  }));
  const width = Math.max(0, ...flags.map((f) => f.flag.length)) + 2;
  const optionLines = flags.map(({ flag, description }) => `  ${flag.padEnd(width)}${description}`);
  return [
    `leakhunt ${entry.name} — ${entry.summary}`,
    '',
    `Usage: leakhunt ${entry.name} ${command.usage}`.trimEnd(),
    ...(optionLines.length ? ['', 'Options:', ...optionLines] : []),
    ...(command.examples.length ? ['', 'Examples:', ...command.examples.map((e) => `  ${e}`)] : []),
  ].join('\n');
}

/**
 * Runs one `leakhunt` invocation and resolves to its exit code. Everything it prints passes
 * `printableLines`: names from heaps, packs and manifests are escaped where they are formatted
 * (so tables stay aligned), and this catches any a command did not.
 */
export async function runCli(argv: string[], terminal: CliIo): Promise<number> {
  const io: CliIo = {
    ...terminal,
    out: (text) => terminal.out(printableLines(text)),
    err: (text) => terminal.err(printableLines(text)),
  };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(formatHelp());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.out(packageVersion());
    return 0;
  }
  if (name === 'help') {
    const entry = rest[0] ? commands.find((c) => c.name === rest[0]) : undefined;
    if (rest[0] && !entry) {
      io.err(`leakhunt: unknown command '${rest[0]}'. Run 'leakhunt help' for the list.`);
      return 2;
    }
    io.out(formatHelp(entry && { entry, command: await entry.load() }));
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`leakhunt: unknown command '${name}'. Run 'leakhunt help' for the list.`);
    return 2;
  }
  const command = await entry.load();
  // After `--` comes a command to run, whose own `--help` is not ours.
  const ownArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    io.out(formatHelp({ entry, command }));
    return 0;
  }
  try {
    const options = Object.fromEntries(
      Object.entries(command.options).map(([key, spec]) => {
        const { description: _d, valueName: _v, ...parseSpec } = spec;
        return [key, parseSpec];
      }),
    );
    const parsed = parseArgs({
      args: rest,
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    const dashes = parsed.tokens.find((token) => token.kind === 'option-terminator');
    if (command.takesCommand && dashes) {
      const positionals = parsed.tokens.flatMap((token) =>
        token.kind === 'positional' && token.index < dashes.index ? [token.value] : [],
      );
      const commandArgs = rest.slice(dashes.index + 1);
      return await command.run({ positionals, values: parsed.values, command: commandArgs }, io);
    }
    return await command.run({ positionals: parsed.positionals, values: parsed.values }, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`leakhunt ${name}: ${(error as Error).message}`);
      return 2;
    }
    if (io.signal.aborted) {
      io.err(`leakhunt ${name}: interrupted`);
      return 130;
    }
    io.err(`leakhunt ${name}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LEAKHUNT_DEBUG && error instanceof Error) io.err(error.stack ?? '');
    return 2;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

if (require.main === module) {
  const controller = new AbortController();
  stopOnInterrupt(controller, (text) => process.stderr.write(text));
  runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    signal: controller.signal,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`leakhunt: ${printableLines(String(error))}\n`);
      process.exitCode = 2;
    },
  );
}
