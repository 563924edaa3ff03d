import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import * as yauzl from 'yauzl';
import { runCli } from '../../../src/cli/main';
import { builtInExercisesDir } from '../../../src/common/packageRoot';
import { readCatalog } from '../../../src/exercises/catalog';
import {
  CommandsNotAllowedError,
  exerciseCommands,
  readOrigin,
  requireCommandsAllowed,
} from '../../../src/exercises/consent';
import { loadExercise, manifestProblems } from '../../../src/exercises/exercise';
import { PackError } from '../../../src/exercises/errors';
import { listFiles, sha256 } from '../../../src/exercises/files';
import { PACK_MANIFEST, packSet, unpackPack } from '../../../src/exercises/pack';
import { captureIo } from '../../support/cliIo';
import { writeZip } from './zipWriter';

const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-consent-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
function fresh(name: string): string {
  return join(work, `${name}-${++counter}`);
}

/** A copy of the mini set whose exercise.json `change` rewrites (a hostile author's pack). */
function hostileSet(change: (manifest: Record<string, unknown>) => void): string {
  const dir = fresh('set');
  cpSync(fixtureSet, dir, { recursive: true });
  const file = join(dir, 'mini-leak', 'exercise.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  change(manifest);
  writeFileSync(file, JSON.stringify(manifest, null, 2));
  return dir;
}

function zipEntries(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

function manifestWithService(service: Record<string, unknown>): unknown {
  const manifest = JSON.parse(
    readFileSync(join(fixtureSet, 'mini-leak', 'exercise.json'), 'utf8'),
  ) as { services: Record<string, unknown>[] };
  manifest.services = [{ name: 'echo', entry: 'server.js', ...service }];
  return manifest;
}

test("a learners' pack holds no solution file; a graders' pack holds them, and unpack says which", async () => {
  const learners = join(fresh('packs'), 'learners.zip');
  const graders = join(fresh('packs'), 'graders.zip');
  const learnersManifest = await packSet(fixtureSet, learners, { kind: 'learners' });
  await packSet(fixtureSet, graders, { kind: 'graders' });
  const learnerEntries = await zipEntries(learners);
  assert.deepEqual(
    learnerEntries.filter((name) => name.includes('/solution/')),
    [],
  );
  assert.ok(learnerEntries.includes('mini-leak/app/service.js'));
  assert.ok(learnerEntries.includes('mini-leak/scenario.md'));
  assert.equal(learnersManifest.includesSolutions, false);
  assert.ok((await zipEntries(graders)).includes('mini-leak/solution/service.js'));

  const unpackedLearners = await unpackPack(learners, fresh('unpacked'));
  assert.equal(unpackedLearners.kind, 'learners');
  assert.equal(existsSync(join(unpackedLearners.dest, 'mini-leak', 'solution')), false);
  const unpackedGraders = await unpackPack(graders, fresh('unpacked'));
  assert.equal(unpackedGraders.kind, 'graders');
  assert.ok(existsSync(join(unpackedGraders.dest, 'mini-leak', 'solution', 'service.js')));
});

test('pack wants --learners or --graders: a forgotten flag must not hand out solutions', async () => {
  const out = join(fresh('packs'), 'set.zip');
  const io = captureIo();
  assert.equal(await runCli(['pack', fixtureSet, '-o', out], io), 2);
  assert.match(io.stderr.join('\n'), /--learners .*--graders/);
  assert.equal(existsSync(out), false);
  const learners = captureIo();
  assert.equal(await runCli(['pack', fixtureSet, '--learners', '-o', out], learners), 0);
  assert.match(learners.stdout.join('\n'), /learners' pack, no solutions/);
  const unpack = captureIo();
  assert.equal(await runCli(['unpack', out, fresh('unpacked')], unpack), 0);
  assert.match(unpack.stdout.join('\n'), /a learners' pack \(no solutions\)/);
});

test('unpack records where the set came from: pack name, kind, version and sha256', async () => {
  const pack = join(fresh('packs'), 'class-of-2026.zip');
  await packSet(fixtureSet, pack, { kind: 'graders' });
  const { dest } = await unpackPack(pack, fresh('unpacked'));
  const origin = await readOrigin(dest);
  assert.ok(origin);
  assert.equal(origin.pack, 'class-of-2026.zip');
  assert.equal(origin.kind, 'graders');
  assert.deepEqual(origin.set, { name: 'Mini set', version: '0.1.0', author: 'Leak Hunt tests' });
  assert.equal(origin.packSha256, sha256(readFileSync(pack)));
  assert.ok(Date.parse(origin.unpackedAt) > Date.now() - 60_000);
});

test('node options and environment that load code from outside the exercise are refused', () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ nodeArgs: ['--require=/tmp/evil.js'] }, /--require=\/tmp\/evil\.js' loads code/],
    [{ nodeArgs: ['--require'] }, /loads code from outside/],
    [{ nodeArgs: ['--require=../outside.js'] }, /loads code from outside/],
    [{ nodeArgs: ['-r'] }, /not an allowed node option/],
    [{ nodeArgs: ['--import=data:text/javascript,process.exit(1)'] }, /loads code/],
    [{ nodeArgs: ['--loader=file:///tmp/x.mjs'] }, /loads code/],
    [{ nodeArgs: ['--inspect=0.0.0.0:9229'] }, /not an allowed node option/],
    [{ nodeArgs: ['--max-old-space-size=lots'] }, /needs a value/],
    [{ env: { NODE_OPTIONS: '--require /tmp/evil.js' } }, /NODE_OPTIONS' is not allowed/],
    [{ env: { node_options: '--require /tmp/evil.js' } }, /is not allowed/],
    [{ env: { NODE_PATH: '/tmp' } }, /is not allowed/],
    [{ env: { LD_PRELOAD: '/tmp/evil.so' } }, /is not allowed/],
    [{ env: { PATH: '/tmp' } }, /is not allowed/],
    [{ env: { HOST: '0.0.0.0' } }, /is not allowed/],
    [{ env: { ECHO_URL: 'http://example.invalid' } }, /set by Leak Hunt/],
  ];
  for (const [service, message] of refused) {
    const problems = manifestProblems(manifestWithService(service));
    assert.ok(
      problems.some((p) => p.where.startsWith('/services/0/') && message.test(p.message)),
      `${JSON.stringify(service)}: ${JSON.stringify(problems)}`,
    );
  }
  const allowed = manifestWithService({
    nodeArgs: [
      '--max-old-space-size=64',
      '--expose-gc',
      '--stack-size=2000',
      '--require=./setup.js',
    ],
    env: { NODE_ENV: 'production', CACHE_SIZE: '100' },
  });
  assert.deepEqual(manifestProblems(allowed), []);
});

test('unpack refuses a pack whose service preloads a file from outside, and writes nothing', async () => {
  const set = hostileSet((manifest) => {
    (manifest.services as Record<string, unknown>[])[0]!.nodeArgs = ['--require=/tmp/evil.js'];
  });
  // Leak Hunt's own pack refuses it; a pack written by any other zip tool reaches unpack.
  await assert.rejects(
    packSet(set, join(fresh('packs'), 'x.zip'), { kind: 'graders' }),
    /loads code from outside/,
  );
  const files = new Map<string, Buffer>();
  for (const rel of await listFiles(set)) files.set(rel, readFileSync(join(set, rel)));
  const listing = {
    format: 'leakhunt-pack',
    formatVersion: 1,
    set: { name: 'Mini set', version: '0.1.0', author: 'tests' },
    kind: 'graders',
    includesSolutions: true,
    files: [...files].map(([path, data]) => ({
      path,
      sha256: sha256(data),
      size: data.length,
      role: path.includes('/solution/') ? 'solution' : 'exercise',
    })),
  };
  const pack = join(fresh('packs'), 'hostile.zip');
  mkdirSync(dirname(pack), { recursive: true });
  writeFileSync(
    pack,
    writeZip([
      { name: PACK_MANIFEST, data: Buffer.from(JSON.stringify(listing)) },
      ...[...files].map(([name, data]) => ({ name, data })),
    ]),
  );
  const dest = fresh('unpacked');
  await assert.rejects(unpackPack(pack, dest), (error: unknown) => {
    assert.ok(error instanceof PackError);
    assert.match(error.message, /nodeArgs: '--require=\/tmp\/evil\.js' loads code from outside/);
    return true;
  });
  assert.equal(existsSync(dest), false);
});

/** An unpacked pack whose setup writes a file outside the exercise and prints who runs it. */
async function unpackedHostilePack(marker: string): Promise<string> {
  mkdirSync(dirname(marker), { recursive: true });
  const set = hostileSet((manifest) => {
    manifest.setup = { command: `sh -c 'id > ${marker}; exit 3'` };
  });
  const pack = join(fresh('packs'), 'innocent.zip');
  await packSet(set, pack, { kind: 'graders' });
  const dest = fresh('unpacked');
  await unpackPack(pack, dest);
  return dest;
}

test("hunt, check and validate refuse a pack's commands, listing them, until --allow-commands", async () => {
  const marker = join(fresh('outside'), 'ran');
  const set = await unpackedHostilePack(marker);
  const exerciseDir = join(set, 'mini-leak');
  for (const args of [
    ['hunt', exerciseDir],
    ['check', exerciseDir],
    ['validate', set],
    ['validate', exerciseDir],
  ]) {
    const io = captureIo();
    assert.equal(await runCli(args, io), 2, args.join(' '));
    const said = io.stderr.join('\n');
    assert.match(said, /comes from the pack innocent\.zip/);
    assert.match(said, /setup: +sh -c 'id > .*; exit 3'/);
    assert.match(said, /service echo: node server\.js/);
    assert.match(said, /--allow-commands/);
    assert.equal(existsSync(marker), false, `${args[0]} ran nothing`);
  }
  // With consent the setup runs (in a temporary copy), and its failure stops the hunt.
  const io = captureIo();
  assert.equal(await runCli(['check', exerciseDir, '--allow-commands'], io), 2);
  assert.ok(existsSync(marker), 'the allowed setup ran');
  assert.match(io.stderr.join('\n'), /setup 'sh -c .*' failed \(exit code 3\)/);
});

test("a learner's workspace from a pack keeps its origin: verify and grade refuse too", async () => {
  const marker = join(fresh('outside'), 'ran');
  const set = await unpackedHostilePack(marker);
  const workspace = fresh('workspace');
  const open = captureIo();
  assert.equal(await runCli(['open', join(set, 'mini-leak'), workspace], open), 0);
  assert.match(open.stdout.join('\n'), /comes from a pack/);
  // Even once the unpacked set is gone, the workspace remembers where it came from.
  rmSync(set, { recursive: true });
  for (const command of ['verify', 'grade']) {
    const io = captureIo();
    assert.equal(await runCli([command, workspace], io), 2, command);
    assert.match(io.stderr.join('\n'), /comes from the pack innocent\.zip[\s\S]*setup: +sh -c/);
    assert.equal(existsSync(marker), false, `${command} ran nothing`);
  }
});

test("the built-in set and an instructor's own folders are trusted as they are", async () => {
  const builtIn = await readCatalog(builtInExercisesDir());
  for (const exercise of builtIn.exercises) await requireCommandsAllowed(exercise, false);
  await requireCommandsAllowed(await loadExercise(join(fixtureSet, 'mini-leak')), false);
});

test('the consent error lists every command an exercise runs, control characters escaped', async () => {
  const set = hostileSet((manifest) => {
    manifest.setup = { command: 'node build.js \u001b[2J' };
    (manifest.services as Record<string, unknown>[])[0]!.env = { MODE: 'a b' };
    (manifest.services as Record<string, unknown>[])[0]!.nodeArgs = ['--max-old-space-size=64'];
  });
  const exercise = await loadExercise(join(set, 'mini-leak'));
  assert.deepEqual(exerciseCommands(exercise.manifest), [
    { what: 'setup', command: 'node build.js \\x1b[2J' },
    { what: 'tests', command: 'node --test --expose-gc test/' },
    { what: 'service echo', command: "MODE='a b' node --max-old-space-size=64 server.js" },
  ]);
  const pack = join(fresh('packs'), 'p.zip');
  await packSet(set, pack, { kind: 'graders' });
  const dest = await unpackPack(pack, fresh('unpacked'));
  await assert.rejects(
    requireCommandsAllowed(await loadExercise(join(dest.dest, 'mini-leak')), false),
    CommandsNotAllowedError,
  );
  await requireCommandsAllowed(await loadExercise(join(dest.dest, 'mini-leak')), true);
});
