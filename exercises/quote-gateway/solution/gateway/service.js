// The public quotes API: authenticates nothing yet, tags each call with a request id and forwards
// it to the pricing engine over a small pool of keep-alive connections. A pricing call that takes
// longer than the upstream timeout is answered with a 504, so a stuck engine cannot hold clients.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

class UpstreamTimeout extends Error {
  constructor(context) {
    super(`pricing did not answer ${context.symbol} within ${context.timeoutMs} ms`);
    this.name = 'UpstreamTimeout';
  }
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Creates the gateway (`pricingUrl` defaults to PRICING_URL). `server.stats` counts forwarded
 * calls, upstream timeouts and upstream errors; `server.agent` is the pool to pricing.
 */
function createGatewayService({
  pricingUrl = process.env.PRICING_URL,
  upstreamTimeoutMs = 2000,
  log = (line) => console.warn(line),
} = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const stats = { forwarded: 0, timeouts: 0, upstreamErrors: 0 };

  function fetchQuote(context) {
    return new Promise((resolve, reject) => {
      const upstream = http.get(
        new URL(`/quotes/${encodeURIComponent(context.symbol)}`, pricingUrl),
        { agent, headers: { 'x-request-id': context.requestId } },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      // The request's own timeout: Node removes its listener from the pooled socket once the
      // response is done, so a keep-alive socket does not collect one listener per call.
      upstream.setTimeout(context.timeoutMs, () => {
        stats.timeouts++;
        log(`[${context.requestId}] ${context.client} ${context.symbol}: upstream timeout`);
        upstream.destroy(new UpstreamTimeout(context));
      });
      upstream.on('error', reject);
    });
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://gateway.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/stats') return sendJson(res, 200, stats);
    const match = url.pathname.match(/^\/api\/quotes\/([A-Za-z]+)$/);
    if (!match || req.method !== 'GET') return sendJson(res, 404, { error: 'not found' });

    const context = {
      requestId: req.headers['x-request-id'] || randomUUID(),
      client: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
      symbol: match[1].toUpperCase(),
      timeoutMs: upstreamTimeoutMs,
      started: Date.now(),
    };
    const tag = { 'x-request-id': context.requestId };
    stats.forwarded++;
    try {
      const quote = await fetchQuote(context);
      sendJson(res, quote.status, JSON.parse(quote.body), tag);
    } catch (error) {
      if (error instanceof UpstreamTimeout)
        return sendJson(res, 504, { error: error.message }, tag);
      stats.upstreamErrors++;
      sendJson(res, 502, { error: 'pricing is unavailable' }, tag);
    }
  });
  server.stats = stats;
  server.agent = agent;
  return server;
}

export { createGatewayService };
