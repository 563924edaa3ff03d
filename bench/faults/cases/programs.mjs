// Programs that misbehave under a hunt or a check: they spin, block, crash, never listen, answer
// only errors, hang up, run out of memory, fork helpers, or print hostile bytes. Each must end in
// a clear error or a verdict within its time limit, leaving no process behind.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Fast settings: the fewest requests a verdict accepts at a 4 KiB threshold. */
const QUICK = ['--count', '100', '--threshold', '4096', '--warmup', '20'];

const PROGRAMS = {
  'healthy.mjs': `import http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`,
  'spin.mjs': `import http from 'node:http';
let served = 0;
http.createServer((req, res) => { if (++served > 30) for (;;); res.end('ok'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'blocked.mjs': `import http from 'node:http';
import { spawnSync } from 'node:child_process';
let served = 0;
http.createServer((req, res) => {
  if (++served > 30) spawnSync(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  res.end('ok');
}).listen(Number(process.env.PORT), process.env.HOST);`,
  'silent.mjs': `import http from 'node:http';
let served = 0;
// Stops answering after 30 requests without blocking: the connections just stay open.
http.createServer((req, res) => { if (++served <= 30) res.end('ok'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'crash-on-request.mjs': `import http from 'node:http';
let served = 0;
http.createServer((req, res) => { if (++served > 10) process.exit(3); res.end('ok'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'throw-on-request.mjs': `import http from 'node:http';
let served = 0;
http.createServer(() => { if (++served > 10) throw new Error('boom in a handler'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'crash-at-start.mjs': `console.error('config: DATABASE_URL is not set');
throw new Error('cannot start without a database');`,
  'exit-at-start.mjs': `process.exit(0);`,
  'never-listens.mjs': `setInterval(() => {}, 1000);`,
  'wrong-port.mjs': `import http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1');
setInterval(() => {}, 1000);`,
  'every-interface.mjs': `import http from 'node:http';
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT));`,
  'errors-only.mjs': `import http from 'node:http';
http.createServer((req, res) => { res.statusCode = 500; res.end('no'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'hang-up.mjs': `import http from 'node:http';
http.createServer((req) => req.socket.destroy()).listen(Number(process.env.PORT), process.env.HOST);`,
  'oom.mjs': `import http from 'node:http';
const kept = [];
http.createServer((req, res) => { for (let i = 0; i < 2000; i++) kept.push('x'.repeat(1000) + i); res.end('ok'); })
  .listen(Number(process.env.PORT), process.env.HOST);`,
  'with-child.mjs': `import http from 'node:http';
import { spawn } from 'node:child_process';
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`,
  'detached-child.mjs': `import http from 'node:http';
import { spawn } from 'node:child_process';
// A helper in its own session: only an owner that tracks more than the process group stops it.
spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }).unref();
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`,
  'hostile-stderr.mjs': `process.stderr.write('\\x1b]0;pwned\\x07\\x1b[2J\\u009b2J\\u202eevil\\n');
process.exit(1);`,
  'flood.mjs': `import http from 'node:http';
const line = 'x'.repeat(1024) + '\\n';
setInterval(() => { for (let i = 0; i < 64; i++) process.stdout.write(line); process.stderr.write(line); }, 5);
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), process.env.HOST);`,
};

export function programCases({ work }) {
  const dir = join(work, 'programs');
  mkdirSync(dir, { recursive: true });
  for (const [name, code] of Object.entries(PROGRAMS)) writeFileSync(join(dir, name), code);
  const entry = (name) => ['--entry', join(dir, name), '--request', 'GET /x/{n}'];
  const cases = [];
  const add = (name, args, expect, more = {}) =>
    cases.push({ name, args, expect, cwd: dir, limitMs: 90_000, ...more });

  add('a healthy server: check', ['check', ...entry('healthy.mjs'), ...QUICK], 'verdict');
  add('a healthy server: hunt', ['hunt', ...entry('healthy.mjs'), ...QUICK], 'ok');
  add('a handler that spins forever', ['check', ...entry('spin.mjs'), ...QUICK], 'error', {
    message: /stopped answering/,
    hardA: true,
  });
  add(
    'a handler blocked outside JavaScript',
    ['check', ...entry('blocked.mjs'), ...QUICK],
    'error',
    {
      message: /stopped answering/,
      hardA: true,
    },
  );
  add('a server that stops answering', ['check', ...entry('silent.mjs'), ...QUICK], 'error', {
    message: /stopped answering/,
    hardA: true,
  });
  add(
    'a server that exits mid-load',
    ['check', ...entry('crash-on-request.mjs'), ...QUICK],
    'error',
    // The exit races the inspector's socket: now and then the dropped WebSocket is what is told.
    { message: /exited|stopped|ended/, hardA: true },
  );
  add('a handler that throws', ['check', ...entry('throw-on-request.mjs'), ...QUICK], 'error');
  add(
    'a server that crashes at start',
    ['check', ...entry('crash-at-start.mjs'), ...QUICK],
    'error',
    {
      message: /cannot start without a database|exited/,
    },
  );
  add('a server that exits at start', ['hunt', ...entry('exit-at-start.mjs'), ...QUICK], 'error');
  add('a server that never listens', ['check', ...entry('never-listens.mjs'), ...QUICK], 'error', {
    message: /did not listen|listen/,
  });
  add('a server on the wrong port', ['check', ...entry('wrong-port.mjs'), ...QUICK], 'error');
  add(
    'a server on every interface (warned)',
    ['check', ...entry('every-interface.mjs'), ...QUICK],
    'verdict',
    {
      hardA: true,
      check: ({ stderr }) =>
        /every interface|0\.0\.0\.0|reachable from the network/i.test(stderr)
          ? undefined
          : 'no warning that the service listens on every interface',
    },
  );
  add('a server that answers only 500', ['check', ...entry('errors-only.mjs'), ...QUICK], 'error');
  add(
    'a server that hangs up on every request',
    ['check', ...entry('hang-up.mjs'), ...QUICK],
    'error',
  );
  add(
    'a service that runs out of memory',
    [
      'hunt',
      '--request',
      'GET /',
      ...QUICK,
      '--',
      process.execPath,
      '--max-old-space-size=24',
      join(dir, 'oom.mjs'),
    ],
    'error',
    { message: /memory/, hardA: true },
  );
  add('a service that forks a helper', ['check', ...entry('with-child.mjs'), ...QUICK], 'verdict');
  add(
    'a service whose helper leaves its session',
    ['check', ...entry('detached-child.mjs'), ...QUICK],
    'verdict',
    {
      hardA: true,
    },
  );
  add(
    'a service that prints hostile bytes and dies',
    ['check', ...entry('hostile-stderr.mjs'), ...QUICK],
    'error',
  );
  add('a service that floods its output', ['check', ...entry('flood.mjs'), ...QUICK], 'verdict');
  add(
    'a start command that does not exist',
    ['check', '--request', 'GET /', ...QUICK, '--', join(dir, 'no-such-binary')],
    'error',
  );
  add(
    'a start command that never listens',
    [
      'check',
      '--request',
      'GET /',
      ...QUICK,
      '--start-timeout',
      '3',
      '--',
      process.execPath,
      join(dir, 'never-listens.mjs'),
    ],
    'error',
    { message: /listen|start/ },
  );
  add(
    'a start command that exits at once',
    ['check', '--request', 'GET /', ...QUICK, '--', process.execPath, '-e', 'process.exit(4)'],
    'error',
  );
  add('an entry that does not exist', ['check', ...entry('absent.mjs'), ...QUICK], 'error');
  add('--count 1e12', ['check', ...entry('healthy.mjs'), '--count', '1e12'], 'error', {
    message: /--count/,
  });
  add('--count 0', ['check', ...entry('healthy.mjs'), '--count', '0'], 'error', {
    message: /--count/,
  });
  add(
    '--count 50 (too few for a verdict)',
    ['hunt', ...entry('healthy.mjs'), '--count', '50'],
    'error',
    {
      message: /too few/,
    },
  );
  add('--threshold 0', ['check', ...entry('healthy.mjs'), '--threshold', '0'], 'error', {
    message: /--threshold/,
  });
  add('--warmup 1e15', ['check', ...entry('healthy.mjs'), '--warmup', '1e15'], 'error', {
    message: /--warmup/,
  });
  add(
    '--snapshots /etc/passwd',
    ['hunt', ...entry('healthy.mjs'), ...QUICK, '--snapshots', '/etc/passwd'],
    'error',
    {
      message: /not a folder/,
    },
  );
  add(
    '--attach to another host',
    ['check', '--attach', '10.0.0.1:9229', '--url', 'http://127.0.0.1:1', '--request', 'GET /'],
    'error',
    {
      message: /this machine/,
    },
  );
  add(
    '--url on another host',
    ['check', '--attach', '9229', '--url', 'http://example.com', '--request', 'GET /'],
    'error',
    {
      message: /this machine/,
    },
  );
  return cases.map((c) => ({ group: 'programs', ...c }));
}
