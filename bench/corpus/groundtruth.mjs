// Ground truth for a corpus case, independent of Leak Hunt: starts the case's server with
// --expose-gc and a tiny probe (gcProbe.cjs), drives it with a load loop of its own and reads the
// used heap after full GCs at 0, N, 2N and 4N requests after a warm-up.
//   node bench/corpus/groundtruth.mjs <id> [N=5000] [warmup=2000]
// Prints the readings and the growth per request over the whole run and over the last 2N:
// a leak keeps both about equal; a healthy server stays near zero.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const corpusDir = dirname(fileURLToPath(import.meta.url));
const [id, nArg = '5000', warmupArg = '2000'] = process.argv.slice(2);
if (!id || !/^[\w.-]+$/.test(id)) {
  console.error('usage: node bench/corpus/groundtruth.mjs <id> [N] [warmup]');
  process.exit(2);
}
const N = Number(nArg);
const warmup = Number(warmupArg);
const dir = join(corpusDir, id);
const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));

const port = await new Promise((resolve, reject) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
  probe.on('error', reject);
});
const child = spawn(
  process.execPath,
  ['--expose-gc', '--require', join(corpusDir, 'gcProbe.cjs'), join(dir, 'server.js')],
  {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  },
);
const stop = () => child.exitCode === null && child.kill('SIGTERM');
process.on('exit', stop);

const heapAfterGc = () =>
  new Promise((resolve) => {
    child.once('message', resolve);
    child.send('measure');
  });

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
let sequence = 0;
function request() {
  const text = spec.requests[sequence % spec.requests.length];
  const n = sequence++;
  const [, method, path, body] = /^(\S+)\s+(\S+)\s*(.*)$/.exec(text);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: path.replaceAll('{n}', String(n)),
        agent,
        headers: body
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
          : {},
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body || undefined);
  });
}
async function load(count) {
  let left = count;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (left-- > 0) await request();
    }),
  );
}

for (let attempt = 0; ; attempt++) {
  try {
    await request();
    break;
  } catch (error) {
    if (attempt > 75) throw error;
    await new Promise((r) => setTimeout(r, 200));
  }
}
await load(warmup);
const heap = [await heapAfterGc()];
for (const k of [1, 1, 2]) {
  await load(N * k);
  heap.push(await heapAfterGc());
}
const whole = (heap[3] - heap[0]) / (4 * N);
const last = (heap[3] - heap[2]) / (2 * N);
console.log(
  `${spec.id} (${spec.kind}): heap after GC ${heap.map((h) => (h / 1048576).toFixed(2)).join(' / ')} MB; ` +
    `${whole.toFixed(0)} B/request over 4N, ${last.toFixed(0)} B/request over the last 2N`,
);
agent.destroy();
stop();
