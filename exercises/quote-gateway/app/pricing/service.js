// The pricing engine, as far as the gateway can tell: GET /quotes/<symbol> answers a quote after a
// short think. Symbols it does not list are a 404.
import http from 'node:http';

const listed = new Map([
  ['ACME', 101.25],
  ['GLOBX', 48.1],
  ['INITECH', 12.07],
  ['UMBRL', 230.4],
  ['HOOLI', 77.77],
]);

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the pricing service; `thinkMs` is how long a quote takes to compute. */
function createPricingService({ thinkMs = 2 } = {}) {
  let tick = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://pricing.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    const match = url.pathname.match(/^\/quotes\/([A-Z]+)$/);
    if (!match) return sendJson(res, 404, { error: 'not found' });
    const base = listed.get(match[1]);
    if (base === undefined) return sendJson(res, 404, { error: `unknown symbol ${match[1]}` });
    setTimeout(() => {
      tick++;
      const drift = Math.sin(tick / 10) * base * 0.01;
      const mid = Math.round((base + drift) * 100) / 100;
      sendJson(res, 200, {
        symbol: match[1],
        bid: Math.round((mid - 0.01) * 100) / 100,
        ask: Math.round((mid + 0.01) * 100) / 100,
        at: new Date().toISOString(),
      });
    }, thinkMs);
  });
  // Callers keep their connections for a minute between bursts, as behind the load balancer.
  server.keepAliveTimeout = 65_000;
  return server;
}

export { createPricingService };
