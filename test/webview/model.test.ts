import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FromWebview } from '../../src/extension/protocol';
import type * as Format from '../../media/webview/format';
import type * as Client from '../../media/webview/hostClient';
import type * as Ring from '../../media/webview/ringBuffer';
import type * as State from '../../media/webview/state';
import { loadPageModule } from './loadModule';

const { RingSeries } = loadPageModule<typeof Ring>('media/webview/ringBuffer.ts');
const { HostClient, HostRequestError, RequestDroppedError } = loadPageModule<typeof Client>(
  'media/webview/hostClient.ts',
);
const { restoreState, defaultState } = loadPageModule<typeof State>('media/webview/state.ts');
const { formatBytes, formatSigned, formatCount } =
  loadPageModule<typeof Format>('media/webview/format.ts');

test('the ring series keeps the newest values in order, as one contiguous view', () => {
  const ring = new RingSeries(3);
  assert.deepEqual([...ring.view()], []);
  assert.equal(ring.last(), undefined);
  for (let i = 1; i <= 2; i++) ring.push(i);
  assert.deepEqual([...ring.view()], [1, 2]);
  for (let i = 3; i <= 11; i++) {
    ring.push(i);
    assert.deepEqual(
      [...ring.view()],
      [i - 2, i - 1, i].filter((v) => v > 0),
    );
  }
  assert.equal(ring.length, 3);
  assert.equal(ring.last(), 11);
});

function fakeApi() {
  const posted: FromWebview[] = [];
  return {
    posted,
    api: {
      postMessage: (m: FromWebview) => posted.push(m),
      getState: () => undefined,
      setState: () => undefined,
    },
  };
}

test('requests carry fresh ids and settle with ok or a shown error', async () => {
  const { posted, api } = fakeApi();
  const client = new HostClient(api);
  const params = { baselineId: 'a', targetId: 'b', finalId: 'c' };
  const first = client.request('findLeaks', params);
  const second = client.request('findLeaks', params);
  assert.deepEqual(posted, [
    { type: 'request', id: 1, request: { method: 'findLeaks', params } },
    { type: 'request', id: 2, request: { method: 'findLeaks', params } },
  ]);
  const result = { ...params, suspects: [] };
  client.handleResponse({ type: 'response', id: 2, err: { message: 'gone', nextStep: 'retry' } });
  client.handleResponse({ type: 'response', id: 1, ok: result });
  assert.deepEqual(await first, result);
  await assert.rejects(second, (error: unknown) => {
    assert.ok(error instanceof HostRequestError);
    assert.deepEqual(error.shown, { message: 'gone', nextStep: 'retry' });
    return true;
  });
});

test('dropping pending requests rejects them, and their late answers are ignored', async () => {
  const { api } = fakeApi();
  const client = new HostClient(api);
  const pending = client.request('summaryPage', {
    snapshotId: 's',
    sort: { column: 'name', descending: false },
    filter: '',
    start: 0,
    count: 100,
  });
  client.dropPending();
  await assert.rejects(pending, RequestDroppedError);
  client.handleResponse({ type: 'response', id: 1, ok: { total: 0, start: 0, rows: [] } });
});

test('saved state is read defensively', () => {
  assert.deepEqual(restoreState(undefined, 'summary'), defaultState('summary'));
  assert.deepEqual(restoreState('garbage', 'live'), defaultState('live'));
  const saved = {
    view: 'comparison',
    summary: { snapshotId: 's2', sort: { column: 'count', descending: false }, filter: 'Map' },
    comparison: {
      baselineId: 'a',
      targetId: 'b',
      sort: { column: 'bogus', descending: true },
      filter: 7,
    },
    suspects: { baselineId: 'a', targetId: 'b', finalId: 'c' },
  };
  const state = restoreState(saved, 'live');
  assert.equal(state.view, 'comparison');
  assert.deepEqual(state.summary, { ...saved.summary, tree: { expanded: [] } });
  assert.deepEqual(state.comparison, {
    baselineId: 'a',
    targetId: 'b',
    sort: defaultState('live').comparison.sort,
    filter: '',
    tree: { expanded: [] },
  });
  // Tree state and the allocated-between filter come back; malformed parts are dropped.
  const trees = restoreState(
    {
      summary: {
        tree: { expanded: ['class:Map', 7, 'class:Map\u0000@9'], selected: 'class:Map\u0000@9' },
        allocatedBetween: { afterSnapshotId: 's1', upToSnapshotId: 's2' },
      },
      dominators: { snapshotId: 's3', tree: { expanded: 'all' } },
    },
    'summary',
  );
  assert.deepEqual(trees.summary.tree, {
    expanded: ['class:Map', 'class:Map\u0000@9'],
    selected: 'class:Map\u0000@9',
  });
  assert.deepEqual(trees.summary.allocatedBetween, { afterSnapshotId: 's1', upToSnapshotId: 's2' });
  assert.deepEqual(trees.dominators, { snapshotId: 's3', tree: { expanded: [] } });
  assert.equal(
    restoreState({ summary: { allocatedBetween: { afterSnapshotId: 's1' } } }, 'summary').summary
      .allocatedBetween,
    undefined,
    'no upper bound, no filter',
  );
  assert.deepEqual(state.suspects, saved.suspects);
  assert.equal(restoreState({ view: 'nope' }, 'suspects').view, 'suspects');
});

test('sizes and deltas format with units and a real minus sign', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1536), '1.5 KB');
  assert.equal(formatBytes(3252736), '3.1 MB');
  assert.equal(formatBytes(-2048), '\u22122 KB');
  assert.equal(formatSigned(798, formatCount), '+798');
  assert.equal(formatSigned(-12, formatCount), '\u221212');
  assert.equal(formatSigned(0, formatBytes), '0 B');
});
