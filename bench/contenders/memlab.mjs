// memlab (@memlab/core): parse the snapshot and prepare its path finder, i.e. shortest paths
// from the GC roots plus dominators and retained sizes for every node (what memlab's heap
// analyses and leak traces need). `diff` follows memlab's own three-snapshot flow: ids only
// of baseline and target, the final snapshot in full, leaked = allocated between baseline and
// target and still alive in final, then its leak filter and a retainer path for each object
// the filter keeps. Its default (browser) rules keep few or none in a Node heap, which makes
// this row cheaper than the work ours does.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { analysis, config, utils, NumericSet } = require('@memlab/core');

config.muteConsole = !process.env.BENCH_VERBOSE;
const [mode, ...files] = process.argv.slice(2);

if (mode === 'summary') {
  const snapshot = await utils.getSnapshotFromFile(files[0], { buildNodeIdIndex: true });
  analysis.preparePathFinder(snapshot);
  let retained = 0;
  snapshot.nodes.forEach((node) => {
    if (node.retainedSize > retained) retained = node.retainedSize;
  });
  console.log(JSON.stringify({ nodeCount: snapshot.nodes.length, largestRetained: retained }));
} else if (mode === 'diff') {
  const [baselineFile, targetFile, finalFile] = files;
  const baselineIds = await utils.getSnapshotNodeIdsFromFile(baselineFile, {});
  const targetIds = await utils.getSnapshotNodeIdsFromFile(targetFile, {});
  const snapshot = await utils.getSnapshotFromFile(finalFile, { buildNodeIdIndex: true });
  const leaked = new NumericSet();
  snapshot.nodes.forEach((node) => {
    if (targetIds.has(node.id) && !baselineIds.has(node.id)) leaked.add(node.id);
  });
  const survivors = leaked.size;
  // memlab's own leak filter and path search (filterLeakPaths without its console report,
  // which insists on a browser run's metadata).
  const finder = analysis.preparePathFinder(snapshot);
  analysis.filterLeakedObjects(leaked, snapshot);
  let paths = 0;
  utils.applyToNodes(leaked, snapshot, (node) => {
    if (finder.getPathToGCRoots(snapshot, node)) paths++;
  });
  console.log(JSON.stringify({ survivors, leaked: leaked.size, paths }));
} else {
  throw new Error(`unknown mode ${mode}`);
}
