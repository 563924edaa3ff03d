import { parentPort } from 'node:worker_threads';
import {
  dominatorSearch,
  dominatorTree,
  retainedSizes,
  type DominatorGraph,
  type DominatorResult,
  type DominatorRetainers,
  type DominatorSearch,
} from './dominators';

// Entry of dist/dominatorWorker.js (out-*/src/heap/dominatorWorker.js in tests): takes the
// graph, then the retainer index, then the final self sizes, and answers with the dominators
// and retained sizes (see startDominatorWorker). Each message starts the next phase.
const port = parentPort;
if (port) {
  let search: DominatorSearch | undefined;
  let tree: DominatorResult | undefined;
  port.on('message', (message: DominatorGraph | DominatorRetainers | Uint32Array) => {
    if (!search) search = dominatorSearch(message as DominatorGraph);
    else if (!tree) tree = dominatorTree(search, message as DominatorRetainers);
    else port.postMessage(retainedSizes(tree, message as Uint32Array));
  });
}
