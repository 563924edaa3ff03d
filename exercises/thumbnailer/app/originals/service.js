// The image store, as the thumbnailer sees it: GET /originals/<id>.<ext> answers the uploaded
// original. Here the images are generated: a real file signature, the size in the header, then
// pixels. Photos from phones arrive as HEIC and are the biggest.
import http from 'node:http';

const SIGNATURES = {
  jpg: Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  heic: Buffer.from([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63]),
};
const SIDES = { jpg: 256, png: 192, heic: 320 };

/** The original image `id` in format `ext`: signature, width and height at bytes 12–15, pixels. */
function original(id, ext) {
  const side = SIDES[ext];
  const image = Buffer.alloc(16 + side * side * 2, id % 251);
  SIGNATURES[ext].copy(image, 0);
  image.writeUInt16BE(side, 12);
  image.writeUInt16BE(side, 14);
  return image;
}

/** Creates the originals service. */
function createOriginalsService() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://originals.local');
    if (url.pathname === '/health') return res.end('ok');
    const match = url.pathname.match(/^\/originals\/(\d+)\.(jpg|png|heic)$/);
    if (!match || Number(match[1]) === 0) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('no such original');
    }
    const image = original(Number(match[1]), match[2]);
    res.writeHead(200, {
      'content-type': `image/${match[2] === 'jpg' ? 'jpeg' : match[2]}`,
      'content-length': image.length,
      etag: `"${match[1]}-${match[2]}"`,
      'cache-control': 'public, max-age=31536000, immutable',
      'last-modified': 'Tue, 03 Nov 2026 08:00:00 GMT',
    });
    res.end(image);
  });
}

export { createOriginalsService };
