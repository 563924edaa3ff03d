// A tiny stand-in for the RabbitMQ `orders` queue: publishers POST messages, consumers take
// them in batches with a long poll. Messages leave the queue when they are consumed.
import http from 'node:http';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the queue's HTTP server (not yet listening). */
function createQueueService() {
  const messages = [];
  let waiting = [];
  let published = 0;

  function wakeConsumers() {
    const consumers = waiting;
    waiting = [];
    for (const wake of consumers) wake();
  }

  function take(max) {
    return messages.splice(0, Math.min(max, messages.length));
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://queue.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/depth')
      return sendJson(res, 200, { depth: messages.length, published });
    if (req.method === 'POST' && url.pathname === '/publish') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        messages.push(Buffer.concat(chunks).toString('utf8'));
        published++;
        wakeConsumers();
        sendJson(res, 202, { depth: messages.length });
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/consume') {
      const max = Math.max(1, Number(url.searchParams.get('max')) || 50);
      const waitMs = Math.min(5000, Number(url.searchParams.get('waitMs')) || 0);
      if (messages.length || waitMs === 0) return sendJson(res, 200, { messages: take(max) });
      let done = false;
      const answer = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        sendJson(res, 200, { messages: take(max) });
      };
      const timer = setTimeout(() => {
        waiting = waiting.filter((wake) => wake !== answer);
        answer();
      }, waitMs);
      waiting.push(answer);
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });
  server.on('close', () => wakeConsumers());
  return server;
}

export { createQueueService };
