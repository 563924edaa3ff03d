// Quotes for the B2B shop: the price of `qty` units of a SKU, from the supplier's price API.
// Product pages and carts ask for the same popular SKUs many times at once, so concurrent
// quotes for one SKU share a single supplier look-up. A quote must answer within the
// deadline the shop's pages wait for; past it, the page shows "price on request".
import http from 'node:http';

const DEADLINE_MS = 250;

class PastDeadline extends Error {}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Creates the quotes service: `{ server, stats, close }`. `supplierUrl` defaults to
 * SUPPLIER_URL; `deadlineMs` is how long a quote may wait for the supplier.
 */
function createQuoteService({
  supplierUrl = process.env.SUPPLIER_URL,
  deadlineMs = DEADLINE_MS,
} = {}) {
  const agent = new http.Agent({ keepAlive: true });
  const lookups = new Map();
  const stats = { quotes: 0, supplierLookups: 0, pastDeadline: 0 };

  function fetchPrice(sku) {
    return new Promise((resolve, reject) => {
      const url = new URL(`/prices/${encodeURIComponent(sku)}`, supplierUrl);
      // A look-up the supplier never answers must not stay pending: give up on it at the
      // deadline, so its socket is closed and the next quote for the SKU asks again.
      const req = http.get(url, { agent, signal: AbortSignal.timeout(deadlineMs) }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`supplier said ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }

  /** The supplier's price for `sku`, shared with every quote for it already waiting. */
  function supplierPrice(sku) {
    let lookup = lookups.get(sku);
    if (!lookup) {
      stats.supplierLookups++;
      lookup = fetchPrice(sku).finally(() => lookups.delete(sku));
      lookups.set(sku, lookup);
    }
    return lookup;
  }

  async function quote(sku, qty) {
    let timer;
    const deadline = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new PastDeadline()), deadlineMs);
    });
    try {
      const price = await Promise.race([supplierPrice(sku), deadline]);
      const total = Math.round(price.unitPrice * qty * 100) / 100;
      return { sku, qty, unitPrice: price.unitPrice, total, currency: price.currency };
    } finally {
      clearTimeout(timer);
    }
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://quotes.local');
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (url.pathname === '/stats') return sendJson(res, 200, stats);
    if (req.method !== 'GET' || url.pathname !== '/quote')
      return sendJson(res, 404, { error: 'not found' });
    const sku = url.searchParams.get('sku') || '';
    const qty = Number(url.searchParams.get('qty') || '1');
    if (!/^[A-Z0-9-]{1,40}$/.test(sku))
      return sendJson(res, 400, { error: 'sku is missing or malformed' });
    if (!Number.isInteger(qty) || qty < 1 || qty > 10000)
      return sendJson(res, 400, { error: 'qty must be a whole number from 1 to 10000' });
    stats.quotes++;
    try {
      sendJson(res, 200, await quote(sku, qty));
    } catch (error) {
      if (error instanceof PastDeadline) {
        stats.pastDeadline++;
        return sendJson(res, 504, { sku, error: 'the supplier did not answer in time' });
      }
      sendJson(res, 502, { sku, error: 'the supplier lookup failed' });
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  return {
    server,
    stats,
    close() {
      agent.destroy();
    },
  };
}

export { createQuoteService };
