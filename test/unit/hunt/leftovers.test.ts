import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { servicesDir } from '../inspector/support';

test('a hunt stopped by SIGTERM leaves no temporary snapshot folder behind', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'leakhunt-leftovers-'));
  try {
    const cli = spawn(
      process.execPath,
      [
        join(__dirname, '../../../src/cli/main.js'),
        'hunt',
        '--entry',
        'leaky.mjs',
        '--request',
        'GET /',
      ],
      {
        cwd: servicesDir,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, TMPDIR: tmp },
      },
    );
    let stderr = '';
    let signalled = false;
    cli.stderr.setEncoding('utf8');
    cli.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      // Past the first snapshot, so the folder holds something.
      if (!signalled && /baseline snapshot:/.test(stderr)) {
        signalled = true;
        cli.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((done) => cli.once('exit', (c) => done(c)));
    assert.equal(code, 2, stderr);
    assert.match(stderr, /terminated by SIGTERM/);
    assert.deepEqual(readdirSync(tmp), []);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
