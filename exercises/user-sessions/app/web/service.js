// The web gateway: the only service visitors talk to. It forwards /api/user/* to the user
// service and /api/catalogue/* to the catalogue service.
import http from 'node:http';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Forwards one request to `base + path` and pipes the answer back. */
function forward(agent, base, path, req, res) {
  const upstream = http.request(
    new URL(path, base),
    {
      method: req.method,
      agent,
      headers: {
        'content-type': req.headers['content-type'] || 'application/json',
        'user-agent': req.headers['user-agent'] || 'web',
      },
    },
    (answer) => {
      res.writeHead(answer.statusCode || 502, {
        'content-type': answer.headers['content-type'] || 'application/json',
      });
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) =>
    sendJson(res, 502, { error: `upstream failed: ${error.message}` }),
  );
  req.pipe(upstream);
}

/**
 * Creates the gateway's HTTP server (not yet listening). `userUrl` and `catalogueUrl` default
 * to the USER_URL and CATALOGUE_URL the launcher sets.
 */
function createWebService({
  userUrl = process.env.USER_URL,
  catalogueUrl = process.env.CATALOGUE_URL,
} = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://web.local');
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (url.pathname === '/')
      return sendJson(res, 200, {
        shop: "Stan's Robot Shop",
        links: ['/api/catalogue/products', '/api/user/uniqueid'],
      });
    if (url.pathname.startsWith('/api/user/'))
      return forward(agent, userUrl, url.pathname.slice('/api/user'.length) + url.search, req, res);
    if (url.pathname.startsWith('/api/catalogue/'))
      return forward(
        agent,
        catalogueUrl,
        url.pathname.slice('/api/catalogue'.length) + url.search,
        req,
        res,
      );
    sendJson(res, 404, { error: 'not found' });
  });
  server.on('close', () => agent.destroy());
  return server;
}

export { createWebService };
