import { resolve } from 'node:path';
import { diffSnapshots, type SnapshotMismatch } from '../../heap';
import { UsageError, type CliCommand } from '../command';
import { formatBytes } from '../../common/format';
import { printable, routeText } from '../../common/text';
import { asUsageError, formatTable, parseTop, progressReporter } from './summary';

/**
 * Why the CLI refuses to diff these snapshots, naming them as the user did: a diff across
 * processes or newest first would print a plausible, wrong answer ("No leak suspects").
 */
export function mismatchMessage(mismatch: SnapshotMismatch, given: string[]): string {
  const name = (i: number): string => printable(given[i] ?? `snapshot ${i + 1}`);
  if (mismatch.kind === 'different-processes')
    return (
      `${name(mismatch.first)} and ${name(mismatch.second)} are snapshots of different ` +
      `processes (of the objects they hold under the same ids, ` +
      `${Math.round(mismatch.agreement * 100)}% agree, against 100% within one process): ` +
      `V8 object ids only compare within one process, so this diff would be meaningless. ` +
      `Take every snapshot from the same running process.`
    );
  return (
    `the snapshots are not in the order they were taken: ${name(mismatch.second)} is older ` +
    `than ${name(mismatch.second - 1)} (object ids only grow within a process). ` +
    `Oldest first: leakhunt diff ${mismatch.takenOrder.map(name).join(' ')}`
  );
}

/** `leakhunt diff`: what grew between snapshots, and which retainer paths hold it. */
export const diffCommand: CliCommand = {
  usage: '<baseline> <target> [<final>]',
  options: {
    json: { type: 'boolean', description: 'Print the result as JSON' },
    top: {
      type: 'string',
      valueName: '<N>',
      description: 'Show only the first N classes and suspects (default 10)',
    },
  },
  examples: [
    'leakhunt diff before.heapsnapshot after.heapsnapshot',
    'leakhunt diff s1.heapsnapshot s2.heapsnapshot s3.heapsnapshot --json',
  ],
  async run({ positionals, values }, io) {
    if (positionals.length < 2 || positionals.length > 3)
      throw new UsageError('expects <baseline> <target> [<final>] .heapsnapshot files');
    const json = values.json === true;
    const top = parseTop(values.top, 10);
    const [baseline, target, final] = positionals.map((p) => resolve(io.cwd, p));
    let result;
    try {
      result = await diffSnapshots(
        { baseline, target, ...(final ? { final } : {}) },
        { signal: io.signal, onProgress: progressReporter(), top },
      );
    } catch (error) {
      throw asUsageError(error);
    }
    if (result.mismatch) throw new UsageError(mismatchMessage(result.mismatch, positionals));
    if (json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    const sign = (n: number): string => (n > 0 ? `+${n}` : String(n));
    const rows = [['Class', 'New', 'Deleted', 'Delta', 'Size delta']];
    for (const c of result.classes)
      rows.push([
        printable(c.name),
        String(c.newCount),
        String(c.deletedCount),
        sign(c.countDelta),
        `${c.sizeDelta > 0 ? '+' : ''}${formatBytes(c.sizeDelta)}`,
      ]);
    io.out(formatTable(rows, [false, true, true, true, true]));
    io.out('');
    if (result.suspects.length === 0) {
      io.out('No leak suspects: nothing allocated in between is still retained.');
      return 0;
    }
    io.out(
      final
        ? 'Leak suspects (allocated between baseline and target, alive in final):'
        : 'Leak suspects (new in target):',
    );
    result.suspects.forEach((s, i) => {
      const owner = s.owner ? ` held by ${printable(s.owner)}` : '';
      io.out(
        `${i + 1}. ${s.count} × ${printable(s.name)}${owner}, retaining ${formatBytes(s.retainedSize)}`,
      );
      io.out(`   ${routeText(s.path)}`);
      if (s.location)
        io.out(`   at ${printable(s.location.file)}:${s.location.line}:${s.location.column}`);
    });
    return 0;
  },
};
