// The dispatch service, ported from Go: consumes paid orders from the `orders` queue and hands
// them to the (simulated) shipping partner. The queue delivers at least once, so the same
// order can arrive twice after a consumer restart; dispatch must ship it only once.
import http from 'node:http';

// Orders already handed to shipping, by order id, with when they were processed. The queue
// only redelivers a message the consumer had not acknowledged, so a redelivery arrives within
// a few hundred messages of the original: remembering the most recent REDELIVERY_WINDOW ids
// (oldest forgotten first) drops every redelivery while memory stays bounded.
const processedOrderCache = new Map();
const REDELIVERY_WINDOW = 1000;

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function getJson(agent, url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
  });
}

/** Reads the order id from a queue message and remembers it; says whether it was seen before. */
function getOrderId(message) {
  const order = JSON.parse(message);
  const id = order.orderid;
  if (typeof id !== 'string' || id === '') throw new Error('message has no orderid');
  const seenBefore = processedOrderCache.has(id);
  if (!seenBefore) {
    processedOrderCache.set(id, new Date());
    if (processedOrderCache.size > REDELIVERY_WINDOW)
      processedOrderCache.delete(processedOrderCache.keys().next().value);
  }
  return { id, seenBefore };
}

/**
 * Creates the dispatch service: an HTTP server for health and stats, and a consumer loop on
 * the orders queue (`queueUrl` defaults to QUEUE_URL). Call `start()` to begin consuming.
 */
function createDispatchService({ queueUrl = process.env.QUEUE_URL, batchSize = 50 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const stats = { shipped: 0, duplicates: 0, rejected: 0, batches: 0, lastBatchMs: 0 };
  const shippedIds = new Set();
  let running = false;
  let loop;

  function dispatchOne(message) {
    let order;
    try {
      order = getOrderId(message);
    } catch {
      stats.rejected++;
      return;
    }
    if (order.seenBefore) {
      stats.duplicates++;
      return;
    }
    stats.shipped++;
    shippedIds.add(order.id);
    if (shippedIds.size > 100) shippedIds.delete(shippedIds.values().next().value);
  }

  async function consume() {
    while (running) {
      let batch;
      try {
        batch = await getJson(agent, new URL(`/consume?max=${batchSize}&waitMs=200`, queueUrl));
      } catch {
        if (!running) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const started = Date.now();
      for (const message of batch.messages || []) dispatchOne(message);
      if (batch.messages && batch.messages.length) {
        stats.batches++;
        stats.lastBatchMs = Date.now() - started;
      }
    }
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://dispatch.local');
    if (url.pathname === '/health') return sendJson(res, 200, { app: 'OK' });
    if (url.pathname === '/stats') {
      let depth = null;
      try {
        depth = (await getJson(agent, new URL('/depth', queueUrl))).depth;
      } catch {
        // the queue is down: report what we know
      }
      return sendJson(res, 200, { ...stats, queueDepth: depth, recentlyShipped: shippedIds.size });
    }
    sendJson(res, 404, { error: 'not found' });
  });

  return {
    server,
    stats,
    start() {
      running = true;
      loop = consume();
    },
    async stop() {
      running = false;
      await loop;
      agent.destroy();
    },
  };
}

export { createDispatchService };
