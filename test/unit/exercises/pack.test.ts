import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  PACK_MANIFEST,
  PackError,
  packSet,
  unpackPack,
  type PackManifest,
} from '../../../src/exercises';
import { listFiles, sha256 } from '../../../src/exercises/files';
import { writeZip, type RawEntry } from './zipWriter';

const fixtureSet = join(__dirname, '../../../../test/fixtures/packs/mini-set');
const work = mkdtempSync(join(tmpdir(), 'leakhunt-pack-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;
/** A fresh folder holding only the pack and, after unpacking, `dest`. */
function sandbox(): { dir: string; pack: string; dest: string } {
  const dir = join(work, `case-${++counter}`);
  return { dir, pack: join(dir, 'in.zip'), dest: join(dir, 'dest') };
}

async function fixtureFiles(): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const rel of await listFiles(fixtureSet))
    files.set(rel, readFileSync(join(fixtureSet, rel)));
  return files;
}

/** Zip entries of a well-formed pack of `files`, with a manifest that matches them. */
function packEntries(files: Map<string, Buffer>, manifestFiles = files): RawEntry[] {
  const manifest: PackManifest = {
    format: 'leakhunt-pack',
    formatVersion: 1,
    set: { name: 'Mini set', version: '0.1.0', author: 'tests' },
    includesSolutions: true,
    files: [...manifestFiles].map(([path, data]) => ({
      path,
      sha256: sha256(data),
      size: data.length,
      role: path.includes('/solution/') ? 'solution' : 'exercise',
    })),
  };
  return [
    { name: PACK_MANIFEST, data: Buffer.from(JSON.stringify(manifest)) },
    ...[...files].map(([name, data]) => ({ name, data, method: 8 as const })),
  ];
}

test('a packed set unpacks to the same files, with solutions marked for graders', async () => {
  const { dir, pack, dest } = sandbox();
  const manifest = await packSet(fixtureSet, pack);
  assert.ok(
    manifest.files.some((f) => f.path === 'mini-leak/solution/service.js' && f.role === 'solution'),
  );
  assert.ok(
    manifest.files.every((f) => !f.path.startsWith('mini-leak/solution/') || f.role === 'solution'),
  );
  assert.equal(manifest.includesSolutions, true);
  const result = await unpackPack(pack, dest);
  assert.equal(result.set.name, 'Mini set');
  assert.deepEqual(await listFiles(dest), await listFiles(fixtureSet));
  for (const rel of await listFiles(fixtureSet))
    assert.deepEqual(readFileSync(join(dest, rel)), readFileSync(join(fixtureSet, rel)), rel);
  assert.deepEqual(readdirSync(dir).sort(), ['dest', 'in.zip']);
});

test('packing is deterministic: the same set gives the same bytes', async () => {
  const a = join(work, 'a.zip');
  const b = join(work, 'b.zip');
  await packSet(fixtureSet, a);
  await packSet(fixtureSet, b);
  assert.deepEqual(readFileSync(a), readFileSync(b));
});

test('the hand-made writer produces packs that unpack, so the hostile cases below test one thing each', async () => {
  const { pack, dest, dir } = sandbox();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(pack, writeZip(packEntries(await fixtureFiles())));
  const result = await unpackPack(pack, dest);
  assert.equal(result.files, (await listFiles(fixtureSet)).length);
});

interface HostileCase {
  name: string;
  /** The pack bytes. */
  build(files: Map<string, Buffer>): Buffer;
  message: RegExp;
  limits?: Partial<import('../../../src/exercises').UnpackLimits>;
  /** Paths (relative to the sandbox folder, or absolute) that must not exist afterwards. */
  mustNotExist?: string[];
}

const withExtra = (files: Map<string, Buffer>, extra: RawEntry[]): Buffer =>
  writeZip([...packEntries(files), ...extra]);

const hostile: HostileCase[] = [
  {
    name: "an entry climbing out with '..'",
    build: (files) => withExtra(files, [{ name: '../escaped.txt', data: Buffer.from('gotcha') }]),
    message: /\.\.|relative path/,
    mustNotExist: ['escaped.txt'],
  },
  {
    name: 'a nested entry climbing out',
    build: (files) =>
      withExtra(files, [{ name: 'mini-leak/../../escaped2.txt', data: Buffer.from('x') }]),
    message: /\.\.|relative path/,
    mustNotExist: ['escaped2.txt'],
  },
  {
    name: 'an absolute path',
    build: (files) =>
      withExtra(files, [{ name: join(work, 'absolute.txt'), data: Buffer.from('x') }]),
    message: /absolute/,
    mustNotExist: [join(work, 'absolute.txt')],
  },
  {
    name: 'a drive-letter path',
    build: (files) => withExtra(files, [{ name: 'C:/windows.txt', data: Buffer.from('x') }]),
    message: /absolute/,
  },
  {
    name: 'backslashes',
    build: (files) => withExtra(files, [{ name: '..\\..\\backslash.txt', data: Buffer.from('x') }]),
    message: /backslash|invalid characters/,
  },
  {
    name: 'a symbolic link',
    build: (files) =>
      withExtra(files, [
        { name: 'mini-leak/app/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 },
      ]),
    message: /symbolic link/,
  },
  {
    name: 'a duplicate name',
    build: (files) => withExtra(files, [{ name: 'set.json', data: Buffer.from('{}') }]),
    message: /twice/,
  },
  {
    name: 'names differing only in case',
    build: (files) => withExtra(files, [{ name: 'SET.json', data: Buffer.from('{}') }]),
    message: /only in case/,
  },
  {
    name: 'too many files',
    build: (files) => writeZip(packEntries(files)),
    limits: { maxFiles: 3 },
    message: /more than the limit of 3/,
  },
  {
    name: 'too many bytes',
    build: (files) => writeZip(packEntries(files)),
    limits: { maxTotalBytes: 1000 },
    message: /more than 1000 bytes/,
  },
  {
    name: 'a zip bomb (an entry that expands 1000 times)',
    build: (files) =>
      withExtra(files, [
        { name: 'mini-leak/app/zeros.bin', data: Buffer.alloc(4 * 1024 * 1024), method: 8 },
      ]),
    message: /zip bomb/,
  },
  {
    name: 'an entry larger than it declares',
    build: (files) =>
      withExtra(files, [
        { name: 'mini-leak/app/liar.txt', data: Buffer.alloc(5000, 65), declaredSize: 10 },
      ]),
    message: /damaged|size|bytes/,
  },
  {
    name: 'an encrypted entry',
    // Stored and encrypted: 12 header bytes precede the 1 byte of content.
    build: (files) =>
      withExtra(files, [
        { name: 'mini-leak/app/secret.txt', data: Buffer.alloc(13, 7), declaredSize: 1, flags: 1 },
      ]),
    message: /encrypted/,
  },
  {
    name: 'a file whose content does not match its checksum',
    build: (files) => {
      const tampered = new Map(files);
      tampered.set('mini-leak/app/service.js', Buffer.from('process.exit(1)'));
      return writeZip(packEntries(tampered, files));
    },
    message: /checksum/,
  },
  {
    name: 'a file the pack manifest does not list',
    build: (files) =>
      withExtra(files, [{ name: 'mini-leak/app/extra.js', data: Buffer.from('1') }]),
    message: /not in leakhunt-pack\.json/,
  },
  {
    name: 'an exercise that breaks the schema',
    build: (files) => {
      const broken = new Map(files);
      const manifest = JSON.parse(files.get('mini-leak/exercise.json')!.toString()) as Record<
        string,
        unknown
      >;
      delete manifest.check;
      broken.set('mini-leak/exercise.json', Buffer.from(JSON.stringify(manifest)));
      return writeZip(packEntries(broken));
    },
    message: /exercise\.json .*check/,
  },
  {
    name: 'a file outside every exercise of the set',
    build: (files) => {
      const extra = new Map(files);
      extra.set('stowaway/run.sh', Buffer.from('rm -rf ~'));
      return writeZip(packEntries(extra));
    },
    message: /belongs to no exercise/,
  },
  {
    name: 'bytes that are not a zip',
    build: () => Buffer.from('this is not a zip file at all, just text pretending'),
    message: /not a readable zip/,
  },
];

for (const hostileCase of hostile) {
  test(`unpack rejects ${hostileCase.name} and writes nothing`, async () => {
    const { dir, pack, dest } = sandbox();
    mkdirSync(dir, { recursive: true });
    writeFileSync(pack, hostileCase.build(await fixtureFiles()));
    const workBefore = readdirSync(work).sort();
    await assert.rejects(
      unpackPack(pack, dest, {
        maxPackBytes: 32 * 1024 * 1024,
        maxFiles: 2000,
        maxTotalBytes: 64 * 1024 * 1024,
        maxCompressionRatio: 100,
        ...hostileCase.limits,
      }),
      (error: unknown) => {
        assert.ok(error instanceof PackError, `expected a PackError, got ${String(error)}`);
        assert.match(error.message, hostileCase.message);
        assert.doesNotMatch(error.message, /\n/, 'the message is one line');
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ['in.zip'], 'nothing besides the pack in its folder');
    assert.deepEqual(readdirSync(work).sort(), workBefore, 'nothing new next to the sandbox');
    for (const path of hostileCase.mustNotExist ?? [])
      assert.equal(existsSync(path.startsWith('/') ? path : join(dir, path)), false, path);
  });
}

test('unpack refuses a destination that already holds files, before reading the pack', async () => {
  const { dir, pack, dest } = sandbox();
  await packSet(fixtureSet, pack);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dest);
  writeFileSync(join(dest, 'mine.txt'), 'keep me');
  await assert.rejects(unpackPack(pack, dest), /not empty/);
  assert.deepEqual(readdirSync(dest), ['mine.txt']);
  assert.deepEqual(readdirSync(dir).sort(), ['dest', 'in.zip']);
});

/** A set holding only the two-leaks fixture, as an instructor's folder. */
function twoLeaksSet(): string {
  const set = join(work, `two-leaks-set-${++counter}`);
  cpSync(join(__dirname, '../../../../test/fixtures/exercises/two-leaks'), join(set, 'two-leaks'), {
    recursive: true,
  });
  writeFileSync(
    join(set, 'set.json'),
    JSON.stringify({ name: 'Two', version: '1.0.0', author: 'tests', exercises: ['two-leaks'] }),
  );
  return set;
}

test("the debrief travels in both kinds of pack; a learners' pack keeps the manifest whole", async () => {
  const set = twoLeaksSet();
  const { pack, dest } = sandbox();
  mkdirSync(join(pack, '..'), { recursive: true });
  const manifest = await packSet(set, pack, { kind: 'learners' });
  const paths = manifest.files.map((f) => f.path).sort();
  assert.ok(paths.includes('two-leaks/debrief.md'));
  assert.ok(paths.every((p) => !p.startsWith('two-leaks/solution/')));
  await unpackPack(pack, dest);
  const unpacked = JSON.parse(readFileSync(join(dest, 'two-leaks', 'exercise.json'), 'utf8')) as {
    leaks: { fixedBy: string[] }[];
  };
  assert.deepEqual(unpacked.leaks[0]?.fixedBy, ['profiles.js']);
  const graders = await packSet(set, join(pack, '..', 'graders.zip'));
  assert.ok(graders.files.some((f) => f.path === 'two-leaks/debrief.md' && f.role === 'exercise'));
});

test('a pack whose exercise names a debrief it lacks is refused', async () => {
  const set = twoLeaksSet();
  const files = new Map<string, Buffer>();
  for (const rel of await listFiles(set))
    if (rel !== 'two-leaks/debrief.md') files.set(rel, readFileSync(join(set, rel)));
  const { dir, pack, dest } = sandbox();
  mkdirSync(dir, { recursive: true });
  writeFileSync(pack, writeZip(packEntries(files)));
  await assert.rejects(unpackPack(pack, dest), /two-leaks: debrief 'debrief\.md' is missing/);
});
