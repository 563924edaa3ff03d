// After Kikobeats/cacheable-response#49: Keyv's default in-memory store (a Map) with a TTL per
// entry. Keyv deletes an expired entry only when it is read again, so per-request keys that are
// never read again stay in the Map long after their 1 s TTL.
import http from 'node:http';
import Keyv from 'keyv';

const pages = new Keyv({ namespace: 'page' });

async function handle(req, res) {
  const html = `<html><body><h1>${req.url}</h1><p>${'rendered '.repeat(10)}</p></body></html>`;
  await pages.set(req.url, html, 1000);
  res.setHeader('content-type', 'text/html');
  res.end(html);
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
