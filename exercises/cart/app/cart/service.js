// The cart service: keeps each shopper's cart and prices items with details fetched from the
// catalogue service. Carts live in memory here (Redis in production).
import http from 'node:http';

// Product requests in flight, so shutdown can abort them instead of waiting.
const activeProductRequests = [];

const carts = new Map();
// Shared by every cart service in the process; idle keep-alive sockets do not hold it open.
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Fetches one product from the catalogue; resolves to null when it does not exist. */
function getProduct(catalogueUrl, sku) {
  return new Promise((resolve, reject) => {
    const request = http.get(
      new URL(`/product/${encodeURIComponent(sku)}`, catalogueUrl),
      { agent },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode === 404) return resolve(null);
          if (res.statusCode !== 200)
            return reject(new Error(`catalogue answered ${res.statusCode}`));
          const body = Buffer.concat(chunks).toString('utf8');
          let product = null;
          try {
            product = JSON.parse(body);
          } catch (error) {
            console.error(`catalogue sent something that is not JSON for ${sku}: ${error.message}`);
          }
          resolve(product);
        });
      },
    );
    const requestRecord = { sku, initiatedTime: Date.now(), request };
    activeProductRequests.push(requestRecord);
    request.on('error', reject);
  });
}

function total(cart) {
  cart.total = cart.items.reduce((sum, item) => sum + item.subtotal, 0);
  return cart;
}

async function addToCart(catalogueUrl, id, sku, qty, res) {
  if (!Number.isInteger(qty) || qty < 1)
    return sendJson(res, 400, { error: 'quantity must be a positive integer' });
  let product;
  try {
    product = await getProduct(catalogueUrl, sku);
  } catch (error) {
    return sendJson(res, 503, { error: `catalogue unavailable: ${error.message}` });
  }
  if (!product) return sendJson(res, 404, { error: `no product ${sku}` });
  if (product.instock === 0) return sendJson(res, 409, { error: `${sku} is out of stock` });
  const cart = carts.get(id) || { id, items: [], total: 0 };
  const line = cart.items.find((item) => item.sku === sku);
  if (line) {
    line.qty += qty;
    line.subtotal = line.qty * line.price;
  } else {
    cart.items.push({
      sku,
      name: product.name,
      price: product.price,
      qty,
      subtotal: qty * product.price,
    });
  }
  carts.set(id, total(cart));
  sendJson(res, 200, cart);
}

/** Creates the cart service's HTTP server; `catalogueUrl` defaults to CATALOGUE_URL. */
function createCartService({ catalogueUrl = process.env.CATALOGUE_URL } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://cart.local');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && parts[0] === 'add' && parts.length === 4)
      return void addToCart(catalogueUrl, parts[1], parts[2], Number(parts[3]), res);
    if (parts[0] === 'cart' && parts.length === 2) {
      if (req.method === 'DELETE')
        return sendJson(res, carts.delete(parts[1]) ? 200 : 404, { id: parts[1] });
      const cart = carts.get(parts[1]);
      return cart ? sendJson(res, 200, cart) : sendJson(res, 404, { error: 'no such cart' });
    }
    sendJson(res, 404, { error: 'not found' });
  });
  server.on('close', () => {
    for (const record of activeProductRequests) record.request.destroy();
  });
  return server;
}

export { createCartService };
