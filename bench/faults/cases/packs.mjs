// Hostile packs for `unpack`: escapes (zip-slip, absolute paths, links), names with control
// bytes or normalisation twins, sizes that lie, broken manifests, special files, and
// destinations that must be left as they were.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeZip } from '../zip.mjs';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function listFiles(root, dir = root) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(root, path) : [relative(root, path)];
  });
}

export function packCases({ work, repoDir }) {
  const dir = join(work, 'packs');
  mkdirSync(dir, { recursive: true });
  const setDir = join(repoDir, 'test/fixtures/packs/mini-set');
  const base = new Map(listFiles(setDir).map((rel) => [rel, readFileSync(join(setDir, rel))]));

  /** A pack of `files` (default: the fixture set) plus `extra` entries, with a manifest listing `listed`. */
  const pack = ({ files = base, extra = [], listed, manifest: edit } = {}) => {
    const all = new Map(files);
    const manifest = {
      format: 'leakhunt-pack',
      formatVersion: 1,
      set: { name: 'Mini set', version: '0.1.0', author: 'faults' },
      kind: 'graders',
      includesSolutions: true,
      files: [...(listed ?? new Map([...all, ...extra.map((e) => [e.name, e.data])]))].map(
        ([path, data]) => ({
          path,
          sha256: sha256(data),
          size: data.length,
          role: path.includes('/solution/') ? 'solution' : 'exercise',
        }),
      ),
    };
    edit?.(manifest);
    return writeZip([
      { name: 'leakhunt-pack.json', data: Buffer.from(JSON.stringify(manifest)) },
      ...[...all].map(([name, data]) => ({ name, data, method: 8 })),
      ...extra,
    ]);
  };

  let n = 0;
  const cases = [];
  /** One case: the pack bytes (or a path), checks that nothing escaped and the destination. */
  const unpack = (name, bytesOrPath, more = {}) => {
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(caseDir, { recursive: true });
    let packPath = bytesOrPath;
    if (Buffer.isBuffer(bytesOrPath)) {
      packPath = join(caseDir, 'in.zip');
      writeFileSync(packPath, bytesOrPath);
    }
    const dest = more.dest ?? join(caseDir, 'dest');
    cases.push({
      name,
      args: ['unpack', packPath, dest],
      cwd: caseDir,
      expect: 'error',
      // Anything written outside the destination is an escape.
      mustNotExist: [
        join(caseDir, 'escaped.txt'),
        join(dir, 'escaped.txt'),
        join(work, 'escaped.txt'),
        `/tmp/leakhunt-fault-absolute-${process.pid}.txt`,
      ],
      // Nothing half-written next to the destination either.
      // A refused pack writes nothing, not even an empty destination.
      check: () =>
        (more.expect ?? 'error') === 'error' && !more.dest && existsSync(dest)
          ? `a refused pack left ${dest}`
          : undefined,
      leftovers: () =>
        (statSync(dirname(dest), { throwIfNoEntry: false })?.isDirectory()
          ? readdirSync(dirname(dest))
          : []
        ).filter((entry) => entry.includes('.unpacking-')),
      ...more,
    });
  };
  const sentinel = Buffer.from('escaped');

  unpack('the fixture set, well formed', pack(), { expect: 'ok' });
  // Escapes.
  for (const name of [
    '../escaped.txt',
    'mini-leak/../../escaped.txt',
    '../../escaped.txt',
    'mini-leak/app/../../../escaped.txt',
    `/tmp/leakhunt-fault-absolute-${process.pid}.txt`,
    'C:/escaped.txt',
    '..\\escaped.txt',
    'mini-leak\\..\\..\\escaped.txt',
    './escaped.txt',
    'mini-leak//escaped.txt',
    'mini-leak/./app/escaped.txt',
  ])
    unpack(`an entry named ${JSON.stringify(name)}`, pack({ extra: [{ name, data: sentinel }] }));
  unpack(
    'a symbolic link to /etc/passwd',
    pack({
      extra: [{ name: 'mini-leak/app/passwd', data: Buffer.from('/etc/passwd'), mode: 0o120777 }],
    }),
    { message: /symbolic link/ },
  );
  unpack(
    'a link, then a file written through it',
    pack({
      extra: [
        { name: 'mini-leak/app/out', data: Buffer.from('..'), mode: 0o120777 },
        { name: 'mini-leak/app/out/escaped.txt', data: sentinel },
      ],
    }),
  );
  for (const [kind, mode] of [
    ['a FIFO', 0o010644],
    ['a character device', 0o020644],
    ['a block device', 0o060644],
    ['a socket', 0o140644],
  ])
    unpack(
      `${kind} entry`,
      pack({ extra: [{ name: 'mini-leak/app/special', data: Buffer.alloc(0), mode }] }),
    );

  // Names with control bytes: refused, and named escaped (the harness checks the output).
  for (const [what, name] of [
    ['ESC and a window title', 'mini-leak/app/\x1b]0;pwned\x07.js'],
    ['a screen clear', 'mini-leak/app/\x1b[2J\x1b[H.js'],
    ['a newline', 'mini-leak/app/two\nlines.js'],
    ['a carriage return', 'mini-leak/app/over\rwrite.js'],
    ['a C1 CSI', 'mini-leak/app/\u009b2J.js'],
    ['a bidi override', 'mini-leak/app/evil\u202etxt.js'],
    ['a NUL byte', 'mini-leak/app/nul\0.js'],
    ['DEL', 'mini-leak/app/del\x7f.js'],
  ])
    unpack(`a name with ${what}`, pack({ extra: [{ name, data: Buffer.from('1') }] }));

  // Names that collide on case-insensitive or normalising file systems.
  unpack(
    'NFC and NFD twins',
    pack({
      extra: [
        { name: 'mini-leak/app/caf\u00e9.js', data: Buffer.from('1') },
        { name: 'mini-leak/app/cafe\u0301.js', data: Buffer.from('2') },
      ],
    }),
    { message: /normalisation/ },
  );
  unpack(
    'case twins',
    pack({
      extra: [
        { name: 'mini-leak/app/A.js', data: Buffer.from('1') },
        { name: 'mini-leak/app/a.js', data: Buffer.from('2') },
      ],
    }),
    { message: /only in case/ },
  );
  unpack('a duplicate entry', pack({ extra: [{ name: 'set.json', data: Buffer.from('{}') }] }), {
    message: /twice/,
  });

  // Sizes that lie or overwhelm.
  unpack(
    'a zip bomb',
    pack({
      extra: [{ name: 'mini-leak/app/zeros.bin', data: Buffer.alloc(8 * 1024 * 1024), method: 8 }],
    }),
    { message: /zip bomb|bytes/ },
  );
  unpack(
    'an entry larger than declared',
    pack({
      extra: [{ name: 'mini-leak/app/liar.txt', data: Buffer.alloc(5000, 65), declaredSize: 10 }],
    }),
  );
  unpack(
    'a declared size of 4 GiB',
    pack({
      extra: [
        { name: 'mini-leak/app/huge.txt', data: Buffer.alloc(10, 65), declaredSize: 0xffffffff },
      ],
    }),
  );
  unpack(
    '3000 entries',
    pack({
      extra: Array.from({ length: 3000 }, (_, i) => ({
        name: `mini-leak/app/f${i}.js`,
        data: Buffer.from('1'),
      })),
    }),
    { message: /limit/ },
  );
  unpack(
    'an encrypted entry',
    pack({
      extra: [
        { name: 'mini-leak/app/secret.txt', data: Buffer.alloc(13, 7), declaredSize: 1, flags: 1 },
      ],
    }),
    { message: /encrypted/ },
  );
  // The pack's own sha256 of every file is what guards the contents: a zip CRC that lies about
  // bytes whose sha256 matches changes nothing.
  unpack(
    'a wrong CRC over bytes the manifest vouches for',
    pack({ extra: [{ name: 'mini-leak/app/crc.txt', data: Buffer.from('abc'), crc: 12345 }] }),
    { expect: 'ok' },
  );
  const whole = pack();
  for (const fraction of [0, 0.1, 0.5, 0.9, 0.999])
    unpack(
      `a pack truncated at ${fraction * 100}%`,
      whole.subarray(0, Math.floor(whole.length * fraction)),
    );
  unpack('not a zip at all', Buffer.from('PK but not really a zip file'));
  unpack('a 40 MB file', Buffer.alloc(40 * 1024 * 1024, 1), { message: /larger than/ });

  // Broken contents.
  const withoutManifest = new Map(base);
  unpack(
    'no pack manifest',
    writeZip([...withoutManifest].map(([name, data]) => ({ name, data }))),
    { message: /leakhunt-pack\.json is missing/ },
  );
  unpack(
    'a manifest that is not JSON',
    writeZip([{ name: 'leakhunt-pack.json', data: Buffer.from('{nope') }]),
    {
      message: /not JSON/,
    },
  );
  unpack('a manifest of another format', pack({ manifest: (m) => (m.format = 'zip') }));
  unpack('an unknown kind of pack', pack({ manifest: (m) => (m.kind = 'teachers') }));
  unpack(
    'a manifest listing an unsafe path',
    pack({
      manifest: (m) => m.files.push({ path: '../x', sha256: 'a', size: 1, role: 'exercise' }),
    }),
  );
  unpack(
    'a file the manifest does not list',
    pack({ extra: [{ name: 'mini-leak/app/extra.js', data: Buffer.from('1') }], listed: base }),
  );
  const tampered = new Map(base);
  tampered.set('mini-leak/app/server.js', Buffer.from('process.exit(1)'));
  unpack('a checksum mismatch', pack({ files: tampered, listed: base }), { message: /checksum/ });
  const badSet = new Map(base);
  badSet.set(
    'set.json',
    Buffer.from(
      JSON.stringify({ name: 'x', version: 'one', author: 'a', exercises: ['mini-leak'] }),
    ),
  );
  unpack('a set.json that breaks the schema', pack({ files: badSet }));
  const hostileKey = new Map(base);
  const exercise = JSON.parse(base.get('mini-leak/exercise.json').toString());
  hostileKey.set(
    'mini-leak/exercise.json',
    Buffer.from(JSON.stringify({ ...exercise, '\x1b]0;pwned\x07': 1 })),
  );
  unpack('an exercise.json with a hostile key', pack({ files: hostileKey }), {
    message: /unknown property/,
  });
  const bom = new Map(base);
  for (const name of ['set.json', 'mini-leak/exercise.json'])
    bom.set(name, Buffer.concat([Buffer.from('\ufeff'), base.get(name)]));
  unpack('JSON files with byte-order marks', pack({ files: bom }), { expect: 'ok' });
  unpack(
    'a stowaway outside every exercise',
    pack({ extra: [{ name: 'stowaway/run.sh', data: Buffer.from('rm -rf ~') }] }),
  );
  unpack("a learners' pack holding solutions", pack({ manifest: (m) => (m.kind = 'learners') }), {
    message: /learners/,
  });

  // Special files instead of a pack, and destinations.
  const fifo = join(dir, 'fifo.zip');
  execFileSync('mkfifo', [fifo]);
  unpack('a FIFO instead of a pack', fifo, { message: /named pipe/ });
  unpack('a folder instead of a pack', dir, { message: /folder/ });
  unpack('/dev/zero instead of a pack', '/dev/zero', { message: /character device/ });
  unpack('a missing pack', join(dir, 'absent.zip'));
  const full = join(dir, 'full-dest');
  mkdirSync(full);
  writeFileSync(join(full, 'mine.txt'), 'keep me');
  unpack('a destination that is not empty', pack(), {
    dest: full,
    preserve: [full],
    message: /destination .* is not empty/,
  });
  const fileDest = join(dir, 'file-dest');
  writeFileSync(fileDest, 'keep me too');
  unpack('a destination that is a file', pack(), { dest: fileDest, preserve: [fileDest] });
  const linkDest = join(dir, 'link-dest');
  symlinkSync('/etc', linkDest);
  unpack('a destination that links to /etc', pack(), {
    dest: linkDest,
    preserve: ['/etc/hostname'],
  });
  unpack('a destination under a file', pack(), {
    dest: join(fileDest, 'sub'),
    preserve: [fileDest],
  });
  unpack('unpack with one argument', pack(), { args: ['unpack', join(dir, 'x.zip')] });
  return cases.map((c) => ({ group: 'packs', limitMs: 30_000, ...c }));
}
