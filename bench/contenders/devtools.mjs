// Chrome DevTools' loader (heap-snapshot-toolkit re-exports its worker code): stream the file
// into HeapSnapshotLoader and run the full initialisation DevTools does before it can show a
// snapshot (edge indexes, retainers, dominators, retained sizes, distances, names), then the
// Summary view's class aggregates. `diff` does the three-snapshot technique the DevTools way:
// the Comparison view (target vs baseline) and final's Summary filtered to "objects allocated
// between snapshot 1 and snapshot 2".
import { createReadStream } from 'node:fs';
import { DevToolsAPI, parse } from 'heap-snapshot-toolkit';

const { NodeFilter } = DevToolsAPI.HeapSnapshotModel;
const [mode, ...files] = process.argv.slice(2);

const load = (file) => parse(createReadStream(file));

if (mode === 'summary') {
  const snapshot = await load(files[0]);
  const aggregates = snapshot.aggregatesWithFilter(new NodeFilter());
  console.log(
    JSON.stringify({
      nodeCount: snapshot.nodeCount,
      totalSize: snapshot.totalSize,
      classes: Object.keys(aggregates).length,
    }),
  );
} else if (mode === 'diff') {
  const snapshots = [];
  for (const file of files) snapshots.push(await load(file));
  const [first, second, third] = snapshots;
  const baseAggregates = first.aggregatesForDiff(first.interfaceDefinitions());
  const comparison = second.calculateSnapshotDiff(String(first.uid), baseAggregates);
  const filter = new NodeFilter(
    first.updateStaticData().maxJSObjectId,
    second.updateStaticData().maxJSObjectId,
  );
  const survivors = third.aggregatesWithFilter(filter);
  let count = 0;
  for (const aggregate of Object.values(survivors)) count += aggregate.count;
  console.log(
    JSON.stringify({ comparedClasses: Object.keys(comparison).length, survivors: count }),
  );
} else {
  throw new Error(`unknown mode ${mode}`);
}
