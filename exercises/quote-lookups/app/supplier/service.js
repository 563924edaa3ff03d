// Stand-in for the supplier's price API (a third party in production). It answers a price
// look-up after `answerAfterMs(sku)` milliseconds — except for the SKUs `isStalled` picks, whose look-ups it
// accepts and never answers, as the real API does for part of its legacy catalogue.
import http from 'node:http';

function unitPriceOf(sku) {
  let hash = 0;
  for (const char of sku) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return 5 + (hash % 9500) / 100;
}

/** Creates the supplier's server; `lookups` counts the price look-ups it received. */
function createSupplierService({
  isStalled = (sku) => sku.startsWith('LEGACY-'),
  answerAfterMs = () => 10,
} = {}) {
  const counters = { lookups: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://supplier.local');
    if (url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"app":"OK"}');
    }
    const match = /^\/prices\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !match) {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":"not found"}');
    }
    const sku = decodeURIComponent(match[1]);
    counters.lookups++;
    if (isStalled(sku)) return;
    setTimeout(() => {
      const body = JSON.stringify({
        sku,
        unitPrice: unitPriceOf(sku),
        currency: 'EUR',
        leadTimeDays: 3,
      });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    }, answerAfterMs(sku));
  });
  return { server, counters };
}

export { createSupplierService };
