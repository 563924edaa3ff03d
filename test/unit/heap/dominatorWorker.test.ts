import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ESSENTIAL_BIT,
  dominatorsInProcess,
  sharedUint32,
  startDominatorWorker,
} from '../../../src/heap/dominators';

// root → a, root → b, a → c, b → c: c has two retainers, so only the root dominates it.
function diamond() {
  const bytes = (values: number[]): Uint8Array => {
    const array = new Uint8Array(new SharedArrayBuffer(values.length));
    array.set(values);
    return array;
  };
  const words = (values: number[]): Uint32Array => {
    const array = sharedUint32(values.length);
    array.set(values);
    return array;
  };
  const graph = {
    nodeCount: 4,
    root: 0,
    firstEdge: words([0, 2, 3, 4, 4]),
    edgeTo: words([1, 2, 3, 3]),
    essential: bytes([1, 1, 1, 1]),
    held: bytes([0, 1, 1, 1]),
  };
  const retainers = {
    retainerStart: words([0, 0, 1, 2, 4]),
    retainerNode: words([0, 0, 1, 2].map((n) => (n | ESSENTIAL_BIT) >>> 0)),
  };
  return { graph, retainers, selfSize: words([0, 10, 20, 40]) };
}

// The worker runs its own entry file (this build's src/heap/dominatorWorker.js, in the
// extension dist/dominatorWorker.js); a missing or broken file rejects finish() here, where the
// analysis would quietly fall back to its own thread.
test('the dominator worker runs from its entry file and agrees with the in-process result', async () => {
  const inProcess = diamond();
  const expected = dominatorsInProcess(inProcess.graph, inProcess.retainers, inProcess.selfSize);
  assert.deepEqual([...expected.dominator], [0, 0, 0, 0]);
  assert.deepEqual([...expected.retained], [70, 10, 20, 40]);

  const { graph, retainers, selfSize } = diamond();
  const worker = startDominatorWorker();
  try {
    worker.search(graph);
    worker.tree(retainers);
    const threaded = await worker.finish(selfSize);
    assert.deepEqual([...threaded.dominator], [...expected.dominator]);
    assert.deepEqual([...threaded.retained], [...expected.retained]);
  } finally {
    worker.stop();
  }
});
