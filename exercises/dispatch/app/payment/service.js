// The payment service: takes a customer's payment and publishes the paid order to the
// `orders` queue for dispatch.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the payment service's HTTP server; `queueUrl` defaults to QUEUE_URL. */
function createPaymentService({ queueUrl = process.env.QUEUE_URL } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

  function publish(order) {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify(order);
      const req = http.request(
        new URL('/publish', queueUrl),
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 202
              ? resolve()
              : reject(new Error(`queue answered ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://payment.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'POST' && url.pathname === '/pay') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        let cart;
        try {
          cart = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return sendJson(res, 400, { error: 'body must be JSON' });
        }
        const items = Array.isArray(cart.items) ? cart.items : [];
        const order = {
          orderid: randomUUID(),
          user: String(cart.user || 'anonymous'),
          items,
          total: items.reduce(
            (sum, item) => sum + (Number(item.price) || 0) * (Number(item.qty) || 1),
            0,
          ),
        };
        publish(order).then(
          () => sendJson(res, 200, { orderid: order.orderid }),
          (error) => sendJson(res, 502, { error: `could not queue the order: ${error.message}` }),
        );
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });
  server.on('close', () => agent.destroy());
  return server;
}

export { createPaymentService };
