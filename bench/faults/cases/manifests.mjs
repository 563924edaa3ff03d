// Broken exercise and set manifests: refused with every problem before anything runs
// (`hunt` must not start a service for them), except the ones a person would call fine.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function manifestCases({ work, repoDir }) {
  const dir = join(work, 'manifests');
  mkdirSync(dir, { recursive: true });
  const fixture = join(repoDir, 'test/fixtures/exercises/mini-leak');
  const original = readFileSync(join(fixture, 'exercise.json'), 'utf8');
  const parsed = () => JSON.parse(original);
  let n = 0;
  const cases = [];

  /** An exercise folder whose exercise.json is `content` (or made by `make(path)`). */
  const exercise = (content, make) => {
    const exDir = join(dir, `case-${++n}`, 'mini-leak');
    mkdirSync(exDir, { recursive: true });
    cpSync(fixture, exDir, { recursive: true });
    const manifest = join(exDir, 'exercise.json');
    if (make) {
      execFileSync('rm', ['-f', manifest]);
      make(manifest);
    } else writeFileSync(manifest, content);
    return exDir;
  };
  /** `hunt` on a broken exercise: a clear error, and no service started (the orphan check sees). */
  const refused = (name, content, more = {}) =>
    cases.push({ name, args: ['hunt', exercise(content, more.make)], expect: 'error', ...more });
  const edited = (name, edit, more) => {
    const m = parsed();
    edit(m);
    refused(name, JSON.stringify(m, null, 2), more);
  };

  // Not a manifest at all.
  refused('not JSON', '{ "id": "mini-leak", ', { message: /not JSON/ });
  refused('an empty file', '', { message: /not JSON/ });
  refused('a UTF-16 file', Buffer.from(`\ufeff${original}`, 'utf16le'), { message: /not JSON/ });
  refused('NUL bytes', Buffer.alloc(64), { message: /not JSON/ });
  refused('2 MB of JSON', JSON.stringify({ ...parsed(), pad: 'x'.repeat(2 * 1024 * 1024) }), {
    message: /cannot be read/,
  });
  refused('nesting 100,000 deep', '['.repeat(100_000) + ']'.repeat(100_000));
  refused('a JSON array', '[]');
  refused('a FIFO', undefined, {
    make: (path) => execFileSync('mkfifo', [path]),
    message: /named pipe/,
  });
  refused('a folder', undefined, { make: (path) => mkdirSync(path), message: /folder/ });
  refused('a symbolic link loop', undefined, { make: (path) => symlinkSync(path, path) });
  refused('missing', undefined, { make: () => {}, message: /cannot be read/ });
  refused('a byte-order mark and broken JSON', `\ufeff{`, { message: /not JSON/ });

  // Wrong types.
  edited('id is a number', (m) => (m.id = 5));
  edited('title is a list', (m) => (m.title = []));
  edited('services is a string', (m) => (m.services = 'api'));
  edited('no services', (m) => (m.services = []));
  edited('load is a string', (m) => (m.load = 'lots'));
  edited('no requests', (m) => (m.load.requests = []));
  edited('load.count is a string', (m) => (m.load.count = '400'));
  edited('load.count is fractional', (m) => (m.load.count = 400.5));
  edited('check.step is a string', (m) => (m.check.step = 'x'));
  edited('hints is an object', (m) => (m.hints = {}));
  edited('a request without a path', (m) => delete m.load.requests[0].path);
  edited('a request method TRACE', (m) => (m.load.requests[0].method = 'TRACE'));

  // Bounds.
  edited('load.count 1e15', (m) => (m.load.count = 1e15), { message: /load\/count.*<= 100000/ });
  edited('check.step 1e12', (m) => (m.check.step = 1e12), { message: /check\/step.*<= 100000/ });
  edited('check.warmup 1e9', (m) => (m.check.warmup = 1e9), { message: /warmup/ });
  edited('check.warmup -1', (m) => (m.check.warmup = -1));
  edited('threshold 0', (m) => (m.check.thresholdBytesPerRequest = 0), { message: /> 0/ });
  edited('threshold -1', (m) => (m.check.thresholdBytesPerRequest = -1));
  edited('threshold 1e9', (m) => (m.check.thresholdBytesPerRequest = 1e9));
  edited('concurrency 0', (m) => (m.load.concurrency = 0));
  edited('concurrency 100000', (m) => (m.load.concurrency = 100_000));
  edited('rate 1e-9', (m) => (m.load.rate = 1e-9));
  edited('durationSeconds 1e12', (m) => (m.load.durationSeconds = 1e12));
  edited('check.step too few for a verdict', (m) => (m.check.step = 20), { message: /too few/ });
  edited('load.count too few for a verdict', (m) => (m.load.count = 5), { message: /too few/ });
  edited('tests time out after 1e9 seconds', (m) => (m.tests.timeoutSeconds = 1e9));

  // Hostile keys and paths.
  edited('a key with control bytes', (m) => (m['\x1b]0;pwned\x07\x1b[2J'] = 1), {
    message: /unknown property/,
  });
  edited('a service named with control bytes', (m) => (m.services[0].name = 'api\x1b[2J'));
  edited('the app folder climbs out', (m) => (m.app = '../../..'));
  edited('the solution is absolute', (m) => (m.solution = '/etc'));
  edited('the scenario climbs out', (m) => (m.scenario = '../../../../etc/passwd'));
  edited('a service entry that is absolute', (m) => (m.services[0].entry = '/etc/passwd'));
  edited(
    'node options that load code',
    (m) => (m.services[0].nodeArgs = ['--require=/tmp/evil.js']),
  );
  edited(
    'NODE_OPTIONS in the environment',
    (m) => (m.services[0].env = { NODE_OPTIONS: '--require /tmp/evil.js' }),
  );
  edited('two services of one name', (m) => m.services.push({ ...m.services[0] }), {
    message: /duplicate/,
  });
  edited('a request to an unknown service', (m) => (m.load.requests[0].service = 'ghost'), {
    message: /no service named/,
  });
  edited('a check of an unknown service', (m) => (m.check.service = 'ghost'), {
    message: /no service named/,
  });

  // Sets, through `pack` (which validates the set and each exercise before writing anything).
  const set = (name, setJson, { expect = 'error', bom = false, message } = {}) => {
    const setDir = join(dir, `set-${++n}`);
    mkdirSync(setDir, { recursive: true });
    cpSync(fixture, join(setDir, 'mini-leak'), { recursive: true });
    if (bom) writeFileSync(join(setDir, 'mini-leak', 'exercise.json'), `\ufeff${original}`);
    writeFileSync(join(setDir, 'set.json'), setJson);
    const out = join(setDir, 'out.zip');
    cases.push({
      name: `set: ${name}`,
      args: ['pack', setDir, '--graders', '-o', out],
      expect,
      ...(message ? { message } : {}),
      ...(expect === 'error' ? { mustNotExist: [out] } : {}),
    });
  };
  const goodSet = { name: 'Faults', version: '1.0.0', author: 'faults', exercises: ['mini-leak'] };
  set('well formed', JSON.stringify(goodSet), { expect: 'ok' });
  set('byte-order marks on set.json and exercise.json', `\ufeff${JSON.stringify(goodSet)}`, {
    expect: 'ok',
    bom: true,
  });
  set(
    'a name with control bytes (shown escaped)',
    JSON.stringify({ ...goodSet, name: 'Evil\x1b]0;pwned\x07' }),
    {
      expect: 'ok',
    },
  );
  set('not JSON', '{', { message: /not JSON/ });
  set('an exercise that is not there', JSON.stringify({ ...goodSet, exercises: ['ghost'] }));
  set(
    'an exercise name that climbs out',
    JSON.stringify({ ...goodSet, exercises: ['../mini-leak'] }),
  );
  set('no exercises', JSON.stringify({ ...goodSet, exercises: [] }));
  return cases.map((c) => ({ group: 'manifests', limitMs: 30_000, ...c }));
}
