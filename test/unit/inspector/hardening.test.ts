import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';
import { launchServices } from '../../../src/inspector/launch';
import type { ServiceWarning } from '../../../src/inspector/types';
import { servicesDir } from './support';

const hardeningDir = join(packageRoot(), 'test', 'fixtures', 'hardening');

test('heap snapshots are written readable by their owner only (0600)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leakhunt-mode-'));
  // The usual umask (022) would leave a new file world-readable (0644).
  const umask = process.umask(0o022);
  try {
    await using group = await launchServices({
      appDir: servicesDir,
      services: [{ name: 'steady', entry: 'steady.mjs' }],
    });
    const file = join(dir, 'steady.heapsnapshot');
    await group.service('steady').session.takeHeapSnapshot(file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  } finally {
    process.umask(umask);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a service listening on every interface is warned about; one on HOST is not', async () => {
  const warnings: ServiceWarning[] = [];
  await using group = await launchServices({
    appDir: hardeningDir,
    services: [
      { name: 'open', entry: 'every-interface.mjs' },
      { name: 'local', entry: join(servicesDir, 'steady.mjs') },
    ],
    onWarning: (warning) => warnings.push(warning),
  });
  const port = group.service('open').port;
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  const [warning] = warnings;
  assert.equal(warning?.service, 'open');
  assert.equal(warning?.kind, 'listens-on-every-interface');
  assert.deepEqual(
    warning?.addresses.map((a) => a.port),
    [port],
  );
  assert.ok(['::', '0.0.0.0'].includes(warning!.addresses[0]!.address));
  assert.match(
    warning!.message,
    /^service 'open' listens on every interface \((\[::\]|0\.0\.0\.0):\d+\): other machines on the network can reach it/,
  );
});
