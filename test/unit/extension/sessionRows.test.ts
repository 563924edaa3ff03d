import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serviceRow } from '../../../src/extension/session/sessionRows';

const MB = 1024 * 1024;
const sample = { time: 0, usedHeap: 31.9 * MB, totalHeap: 48 * MB, rss: 74.3 * MB };

test('a running service’s row leads with its growth per request and fits a default sidebar', () => {
  const row = serviceRow('catalogue', {
    state: 'running',
    samples: [sample],
    bytesPerRequest: 1069,
  });
  assert.equal(row.description, '+1,069 B/req · 31.9 MB');
  // The default sidebar shows about 40 characters of a row: name, two spaces and description.
  assert.ok(
    'catalogue'.length + 2 + row.description.length <= 40,
    `"${row.description}" is cut off at the default sidebar width`,
  );
  assert.match(row.tooltip, /RSS 74\.3 MB/);
  assert.match(row.tooltip, /before GC.*leak check measures after GC/s);
});

test('a stopped service says so; a service without load yet shows only its heap', () => {
  assert.equal(
    serviceRow('web', { state: 'crashed', samples: [sample], bytesPerRequest: -12 }).description,
    'crashed · \u221212 B/req · 31.9 MB',
  );
  const fresh = serviceRow('user', { state: 'running', samples: [sample] });
  assert.equal(fresh.description, '31.9 MB');
  assert.match(fresh.tooltip, /once load has run/);
  assert.equal(serviceRow('user', undefined).description, 'stopped');
});
