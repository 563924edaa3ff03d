import { resolve } from 'node:path';
import { diffSnapshots } from '../../heap';
import { UsageError, type CliCommand } from '../command';
import { asUsageError, formatSize, formatTable, parseTop, progressReporter } from './summary';

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
    if (json) {
      io.out(JSON.stringify(result, null, 2));
      return 0;
    }
    const sign = (n: number): string => (n > 0 ? `+${n}` : String(n));
    const rows = [['Class', 'New', 'Deleted', 'Delta', 'Size delta']];
    for (const c of result.classes)
      rows.push([
        c.name,
        String(c.newCount),
        String(c.deletedCount),
        sign(c.countDelta),
        `${c.sizeDelta > 0 ? '+' : ''}${formatSize(c.sizeDelta)}`,
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
      const owner = s.owner ? ` held by ${s.owner}` : '';
      io.out(`${i + 1}. ${s.count} × ${s.name}${owner}, retaining ${formatSize(s.retainedSize)}`);
      io.out(`   ${s.path.join(' → ')}`);
      if (s.location) io.out(`   at ${s.location.file}:${s.location.line}:${s.location.column}`);
    });
    return 0;
  },
};
