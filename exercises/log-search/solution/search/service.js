// The log console's search API: GET /search?q=<query>&limit=<n> answers the newest matching
// lines. Dashboards refresh the same handful of queries every few seconds, so compiled queries
// are kept and reused rather than parsed again on every refresh.
import http from 'node:http';
import { compileQuery } from './query.js';
import { sampleLogs } from './logs.js';

// Recently used compiled queries, least recently used first. Dashboards reuse a few hundred
// queries at most; ad-hoc searches (one-off query strings) must not pile up, so the oldest is
// dropped once MAX_COMPILED are kept.
const MAX_COMPILED = 500;
const compiledQueries = new Map();

const stats = { searches: 0, compilations: 0, badQueries: 0 };

function matcherFor(query) {
  let matcher = compiledQueries.get(query);
  if (matcher) {
    compiledQueries.delete(query);
  } else {
    matcher = compileQuery(query);
    stats.compilations++;
    if (compiledQueries.size >= MAX_COMPILED)
      compiledQueries.delete(compiledQueries.keys().next().value);
  }
  compiledQueries.set(query, matcher);
  return matcher;
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the search service over `logs` (newest last); `server.stats` counts its work. */
function createSearchService({ logs = sampleLogs() } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://search.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/stats') return sendJson(res, 200, stats);
    if (url.pathname !== '/search' || req.method !== 'GET')
      return sendJson(res, 404, { error: 'not found' });

    const query = (url.searchParams.get('q') || '').trim();
    const limit = Math.min(Number(url.searchParams.get('limit')) || 20, 200);
    let matcher;
    try {
      matcher = matcherFor(query);
    } catch (error) {
      stats.badQueries++;
      return sendJson(res, 400, { error: error.message });
    }
    stats.searches++;
    const hits = [];
    for (let i = logs.length - 1; i >= 0 && hits.length < limit; i--)
      if (matcher.matches(logs[i])) hits.push(logs[i]);
    sendJson(res, 200, { query, count: hits.length, hits });
  });
  server.stats = stats;
  return server;
}

export { createSearchService };
