import { resolve } from 'node:path';
import { HeapSnapshotError, summarizeSnapshot } from '../../heap';
import { formatBytes } from '../../common/format';
import { printable } from '../../common/text';
import { UsageError, type CliCommand } from '../command';

/** Aligns rows into columns; the first row is the header, numeric columns right-aligned. */
export function formatTable(rows: string[][], rightAligned: boolean[]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Parses `--top N`. */
export function parseTop(value: unknown, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const top = Number(value);
  if (!Number.isInteger(top) || top <= 0)
    throw new UsageError('--top expects a positive whole number');
  return top;
}

/** Progress on stderr, only for a person watching a terminal (never in pipes or CI logs). */
export function progressReporter(): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  let last = -1;
  return (done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (percent === last) return;
    last = percent;
    process.stderr.write(`\rreading snapshots… ${percent}%${percent === 100 ? '\r\x1b[K' : ''}`);
  };
}

/** Turns the engine's typed error into the CLI's one-line usage error (exit 2). */
export function asUsageError(error: unknown): unknown {
  if (error instanceof HeapSnapshotError)
    return new UsageError(`${error.message} (byte ${error.byteOffset})`, { cause: error });
  return error;
}

/** `leakhunt summary`: DevTools-style Summary of one heap snapshot. */
export const summaryCommand: CliCommand = {
  usage: '<file>',
  options: {
    json: { type: 'boolean', description: 'Print the result as JSON' },
    top: {
      type: 'string',
      valueName: '<N>',
      description: 'Show only the N largest classes (default 25; all with --json)',
    },
  },
  examples: [
    'leakhunt summary service.heapsnapshot',
    'leakhunt summary heap.heapsnapshot --json --top 10',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new UsageError('expects one .heapsnapshot file');
    const json = values.json === true;
    const top = parseTop(values.top, json ? undefined : 25);
    const file = resolve(io.cwd, positionals[0]);
    let result;
    try {
      result = await summarizeSnapshot(file, {
        signal: io.signal,
        onProgress: progressReporter(),
        top,
      });
    } catch (error) {
      throw asUsageError(error);
    }
    if (json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    io.out(
      `${result.nodeCount} objects, ${result.edgeCount} references, ${formatBytes(result.totalSize)} total`,
    );
    io.out('');
    const rows = [['Class', 'Count', 'Self size', 'Retained size']];
    for (const c of result.classes)
      rows.push([
        printable(c.name),
        String(c.count),
        formatBytes(c.selfSize),
        formatBytes(c.retainedSize),
      ]);
    io.out(formatTable(rows, [false, true, true, true]));
    return 0;
  },
};
