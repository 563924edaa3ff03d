// The thumbnailer: GET /thumbs/<id>.<ext>?w=<px> fetches the original from the image store,
// checks its format from the file signature, and scales it down to a w×w thumbnail (raw 8-bit
// grey, which the CDN encodes). GET /debug/inflight lists what it is working on right now, for
// when latency spikes.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const inflight = new Map();
let nextJob = 1;

const FORMATS = [
  { name: 'jpeg', signature: Buffer.from([0xff, 0xd8, 0xff]) },
  { name: 'png', signature: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
];

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function fetchOriginal(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

function sniff(image) {
  return FORMATS.find((format) =>
    image.subarray(0, format.signature.length).equals(format.signature),
  );
}

/** Scales the pixels of `image` (side read from its header) down to `size`×`size`, nearest pixel. */
function scaleDown(image, size) {
  const side = image.readUInt16BE(12);
  const pixels = image.subarray(16);
  const thumb = Buffer.alloc(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const from = Math.floor((y * side) / size) * side + Math.floor((x * side) / size);
      thumb[y * size + x] = pixels[from * 2];
    }
  return thumb;
}

/** Creates the thumbnailer (`originalsUrl` defaults to ORIGINALS_URL). */
function createThumbnailService({ originalsUrl = process.env.ORIGINALS_URL } = {}) {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://thumbs.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/debug/inflight')
      return sendJson(res, 200, {
        inflight: [...inflight.values()].map((entry) => ({
          job: entry.job,
          source: entry.source,
          startedAt: entry.startedAt,
          bytes: entry.bytes,
          signature: entry.signature?.toString('hex'),
          store: entry.upstream && {
            type: entry.upstream['content-type'],
            etag: entry.upstream.etag,
            modified: entry.upstream['last-modified'],
          },
        })),
      });
    const match = url.pathname.match(/^\/thumbs\/(\d+)\.(\w+)$/);
    if (!match || req.method !== 'GET') return sendJson(res, 404, { error: 'not found' });
    const size = Math.min(Math.max(Number(url.searchParams.get('w')) || 64, 16), 128);

    const source = new URL(`/originals/${match[1]}.${match[2]}`, originalsUrl).href;
    const job = nextJob++;
    const entry = { job, source, startedAt: new Date().toISOString() };
    inflight.set(job, entry);
    let original;
    try {
      original = await fetchOriginal(source);
    } catch {
      return sendJson(res, 502, { error: 'image store unavailable' });
    }
    if (original.status !== 200) return sendJson(res, original.status, { error: 'no such image' });
    entry.bytes = original.body.length;
    entry.signature = original.body.subarray(0, 16);
    entry.upstream = original.headers;

    const format = sniff(original.body);
    if (!format)
      return sendJson(res, 415, {
        error: `unsupported image format (${original.headers['content-type']})`,
      });
    const thumb = scaleDown(original.body, size);
    inflight.delete(job);
    res.writeHead(200, {
      'content-type': 'image/x-gray',
      'content-length': thumb.length,
      'x-thumbnail-size': `${size}x${size}`,
      'x-original-format': format.name,
      'cache-control': 'public, max-age=86400',
    });
    res.end(thumb);
  });
}

export { createThumbnailService };
