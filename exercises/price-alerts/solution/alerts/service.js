// Price alerts for the trading desks. Each desk keeps one watchlist of rules ("tell me when
// ACME trades above 120"); the service checks the rules against the market feed every second
// and posts an alert to the desk's webhook when a rule starts to hold.
import http from 'node:http';
import { createPriceFeed } from './feed.js';

const EVALUATE_EVERY_MS = 1000;
const MAX_RULES = 50;

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

function postJson(agent, url, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode < 300 ? resolve() : reject(new Error(`webhook said ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Returns the problem with a watchlist body, or undefined when it is fine. */
function problemWith(body, feed) {
  if (!body || typeof body !== 'object') return 'body must be a JSON object';
  if (typeof body.callbackUrl !== 'string' || !/^https?:\/\//.test(body.callbackUrl))
    return 'callbackUrl must be an http(s) URL';
  if (!Array.isArray(body.rules) || body.rules.length === 0 || body.rules.length > MAX_RULES)
    return `rules must be a list of 1 to ${MAX_RULES} rules`;
  for (const rule of body.rules) {
    if (feed.price(rule?.symbol) === undefined) return `unknown symbol ${String(rule?.symbol)}`;
    if (typeof rule.above !== 'number' && typeof rule.below !== 'number')
      return 'each rule needs a numeric above or below';
  }
  return undefined;
}

/**
 * Creates the alerts service: `{ server, feed, stats, close }`. `evaluateEveryMs` is how often
 * the rules are checked; tests pass a manual feed and a short interval.
 */
function createAlertsService({
  feed = createPriceFeed(),
  evaluateEveryMs = EVALUATE_EVERY_MS,
} = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const watchlists = new Map();
  const stats = { alertsSent: 0, deliveryFailures: 0 };

  function evaluate(watchlist) {
    for (const rule of watchlist.rules) {
      const price = feed.price(rule.symbol);
      const holds =
        (typeof rule.above === 'number' && price > rule.above) ||
        (typeof rule.below === 'number' && price < rule.below);
      if (holds && !rule.firing) {
        const alert = { desk: watchlist.desk, symbol: rule.symbol, price, rule: rule.label };
        postJson(agent, watchlist.callbackUrl, alert).then(
          () => stats.alertsSent++,
          () => stats.deliveryFailures++,
        );
      }
      rule.firing = holds;
    }
  }

  function saveWatchlist(desk, body) {
    // A desk has one watchlist: saving replaces the previous one, and the previous one's
    // evaluation must stop with it, or its rules keep firing alerts (and stay in memory).
    removeWatchlist(desk);
    const watchlist = {
      desk,
      callbackUrl: body.callbackUrl,
      note: typeof body.note === 'string' ? body.note : '',
      rules: body.rules.map((rule) => ({
        symbol: rule.symbol,
        above: rule.above,
        below: rule.below,
        label: typeof rule.label === 'string' ? rule.label : `${rule.symbol} rule`,
        firing: false,
      })),
      updatedAt: new Date().toISOString(),
    };
    watchlist.timer = setInterval(() => evaluate(watchlist), evaluateEveryMs);
    watchlist.timer.unref();
    watchlists.set(desk, watchlist);
    return watchlist;
  }

  function removeWatchlist(desk) {
    const watchlist = watchlists.get(desk);
    if (!watchlist) return false;
    clearInterval(watchlist.timer);
    watchlists.delete(desk);
    return true;
  }

  function describe(watchlist) {
    const { desk, callbackUrl, note, rules, updatedAt } = watchlist;
    const shown = rules.map(({ symbol, above, below, label }) => ({ symbol, above, below, label }));
    return { desk, callbackUrl, note, updatedAt, rules: shown };
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://alerts.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/stats')
      return sendJson(res, 200, { desks: watchlists.size, ...stats });
    if (req.method === 'GET' && url.pathname === '/quotes') {
      const wanted = (url.searchParams.get('symbols') || '').split(',').filter(Boolean);
      const symbols = wanted.length ? wanted : feed.symbols();
      const quotes = {};
      for (const symbol of symbols) quotes[symbol] = feed.price(symbol) ?? null;
      return sendJson(res, 200, quotes);
    }
    const match = /^\/watchlists\/([A-Za-z0-9_-]{1,64})$/.exec(url.pathname);
    if (!match) return sendJson(res, 404, { error: 'not found' });
    const desk = match[1];
    if (req.method === 'GET') {
      const watchlist = watchlists.get(desk);
      return watchlist
        ? sendJson(res, 200, describe(watchlist))
        : sendJson(res, 404, { error: `no watchlist for ${desk}` });
    }
    if (req.method === 'DELETE') {
      return removeWatchlist(desk)
        ? sendJson(res, 200, { desk, removed: true })
        : sendJson(res, 404, { error: `no watchlist for ${desk}` });
    }
    if (req.method === 'PUT') {
      let body;
      try {
        body = await readJson(req);
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      const problem = problemWith(body, feed);
      if (problem) return sendJson(res, 400, { error: problem });
      const watchlist = saveWatchlist(desk, body);
      return sendJson(res, 200, { desk, rules: watchlist.rules.length });
    }
    sendJson(res, 405, { error: 'method not allowed' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  });

  return {
    server,
    feed,
    stats,
    close() {
      for (const desk of [...watchlists.keys()]) removeWatchlist(desk);
      feed.stop();
      agent.destroy();
    },
  };
}

export { createAlertsService };
