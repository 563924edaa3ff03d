// The catalogue service: a fixed list of products, served from memory.
import http from 'node:http';

const products = [
  { sku: 'RED-1', name: 'Robot arm', price: 1200, instock: 4 },
  { sku: 'CNC-2', name: 'CNC mill', price: 3800, instock: 1 },
  { sku: 'EMB-3', name: 'Embedded board', price: 45, instock: 30 },
  { sku: 'SRV-4', name: 'Servo pack', price: 80, instock: 12 },
];

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the catalogue service's HTTP server (not yet listening). */
function createCatalogueService() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://catalogue.local');
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'GET only' });
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (url.pathname === '/products') return sendJson(res, 200, products);
    const match = /^\/product\/([^/]+)$/.exec(url.pathname);
    if (match) {
      const product = products.find((p) => p.sku === match[1]);
      return product
        ? sendJson(res, 200, product)
        : sendJson(res, 404, { error: 'no such product' });
    }
    sendJson(res, 404, { error: 'not found' });
  });
}

export { createCatalogueService };
