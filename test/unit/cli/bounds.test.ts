import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveTarget } from '../../../src/cli/commands/hunt';
import { runCli } from '../../../src/cli/main';
import { MAX_REQUESTS_PER_LOAD } from '../../../src/hunt/plan';
import { minRequestsPerRung } from '../../../src/hunt/verdict';
import { captureIo } from '../../support/cliIo';

// Counts and thresholds are refused before anything runs: a service is never started for a
// load that would run until killed, or for a verdict drawn from a handful of requests.

const work = mkdtempSync(join(tmpdir(), 'leakhunt-bounds-'));
after(() => rmSync(work, { recursive: true, force: true }));
const entry = join(work, 'server.js');
writeFileSync(entry, '// never started by these tests\n');

async function refused(extra: string[]): Promise<string> {
  const io = captureIo({ cwd: work });
  await assert.rejects(
    resolveTarget([], { entry, request: ['GET /'], ...options(extra) }, io),
    (error: Error) => error.name === 'UsageError',
  );
  const run = captureIo({ cwd: work });
  assert.equal(await runCli(['check', '--entry', entry, '--request', 'GET /', ...extra], run), 2);
  assert.equal(run.stderr.length, 1, run.stderr.join('\n'));
  return run.stderr[0]!;
}

/** `--count 5` as parseArgs would hand it over. */
function options(args: string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i += 2) values[args[i]!.slice(2)] = args[i + 1];
  return values;
}

test('--count beyond the maximum, in exponent form or zero is refused', async () => {
  assert.match(
    await refused(['--count', '1000000000000']),
    /--count 1000000000000: expects a whole number from 1 to 100000/,
  );
  assert.match(await refused(['--count', '1e12']), /--count 1e12: expects a whole number/);
  assert.match(await refused(['--count', '0']), /--count 0: expects a whole number from 1/);
  assert.match(await refused(['--count', String(MAX_REQUESTS_PER_LOAD + 1)]), /from 1 to 100000/);
  assert.match(await refused(['--warmup', '1e15']), /--warmup 1e15: expects a whole number from 0/);
});

test('--count too small for a verdict is refused with the figure that is enough', async () => {
  const fewest = minRequestsPerRung(256);
  assert.match(
    await refused(['--count', '50']),
    new RegExp(
      `--count 50: too few requests per load for a verdict; at least ${fewest} with a threshold of 256`,
    ),
  );
  // A higher threshold tolerates the same one-time survivors over fewer requests.
  const target = await resolveTarget(
    [],
    { entry, request: ['GET /'], count: String(minRequestsPerRung(4096)), threshold: '4096' },
    captureIo({ cwd: work }),
  );
  assert.equal(target.manifest.check.step, minRequestsPerRung(4096));
  assert.equal(target.manifest.load.count, minRequestsPerRung(4096));
});

test('--threshold 0, negative or absurd is refused, as the schema refuses it', async () => {
  assert.match(
    await refused(['--threshold', '0']),
    /--threshold 0: expects bytes per request, more than 0/,
  );
  assert.match(await refused(['--threshold', '1e9']), /--threshold 1e9/);
  const target = await resolveTarget(
    [],
    { entry, request: ['GET /'], threshold: '512.5' },
    captureIo({ cwd: work }),
  );
  assert.equal(target.manifest.check.thresholdBytesPerRequest, 512.5);
});
