// The payments webhook inbox. The payment provider posts every event to /events/<event id> and
// retries for up to three days until it gets a 2xx, so the same event can arrive more than
// once: an event already applied inside that window is acknowledged and not applied again.
import http from 'node:http';
import { requestContext, log, logError, recentLines } from './log.js';

const REDELIVERY_WINDOW_MS = 72 * 60 * 60 * 1000;
const STATUSES = {
  'payment.succeeded': 'paid',
  'payment.failed': 'payment-failed',
  'charge.refunded': 'refunded',
  'charge.disputed': 'disputed',
};

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function problemWith(event) {
  if (!event || typeof event !== 'object') return 'the event is not an object';
  if (!(event.type in STATUSES)) return `unknown event type ${String(event.type)}`;
  const payment = event.data?.object;
  if (typeof payment?.order !== 'string') return 'the event names no order';
  if (typeof payment.amount !== 'number') return 'the event has no amount';
  return undefined;
}

/**
 * Creates the inbox: `{ server, orders, stats }`. `redeliveryWindowMs` is how long an applied
 * event id is remembered.
 */
function createInboxService({ redeliveryWindowMs = REDELIVERY_WINDOW_MS } = {}) {
  const orders = new Map();
  const applied = new Set();
  const stats = { applied: 0, duplicates: 0, rejected: 0 };

  function remember(eventId) {
    applied.add(eventId);
    setTimeout(() => applied.delete(eventId), redeliveryWindowMs).unref();
  }

  function applyEvent(event) {
    const payment = event.data.object;
    const order = orders.get(payment.order) ?? { order: payment.order, history: [] };
    order.status = STATUSES[event.type];
    order.amount = payment.amount;
    order.currency = payment.currency;
    order.history.push(order.status);
    if (order.history.length > 10) order.history.shift();
    orders.set(payment.order, order);
  }

  function receive(eventId, event, res) {
    if (applied.has(eventId)) {
      stats.duplicates++;
      log('already applied, acknowledged again');
      return sendJson(res, 200, { eventId, duplicate: true });
    }
    const problem = problemWith(event);
    if (problem) {
      stats.rejected++;
      logError('rejected', problem);
      return sendJson(res, 422, { eventId, error: problem });
    }
    applyEvent(event);
    remember(eventId);
    stats.applied++;
    log(`${event.type} applied to order ${event.data.object.order}`);
    sendJson(res, 200, { eventId, applied: true });
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://inbox.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/stats')
      return sendJson(res, 200, { ...stats, orders: orders.size });
    if (req.method === 'GET' && url.pathname === '/debug/log')
      return sendJson(res, 200, recentLines.slice(-50));
    const orderMatch = /^\/orders\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && orderMatch) {
      const order = orders.get(decodeURIComponent(orderMatch[1]));
      return order ? sendJson(res, 200, order) : sendJson(res, 404, { error: 'no such order' });
    }
    const eventMatch = /^\/events\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    if (req.method !== 'POST' || !eventMatch) return sendJson(res, 404, { error: 'not found' });
    const eventId = eventMatch[1];
    let event;
    try {
      event = await readJson(req);
    } catch {
      return sendJson(res, 400, { eventId, error: 'body must be JSON' });
    }
    const context = { eventId, receivedAt: Date.now(), event };
    requestContext.run(context, () => receive(eventId, event, res));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      logError('failed', error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  return { server, orders, stats };
}

export { createInboxService };
