// Healthy twin of node-cache-no-ttl (node-cache/node-cache#155): the same default NodeCache, but
// the quote is memoised per route (the first path segment), not per URL: a fixed set of keys.
import http from 'node:http';
import NodeCache from 'node-cache';

const quotes = new NodeCache();

function handle(req, res) {
  const key = req.url.split('/')[1] || 'root';
  let quote = quotes.get(key);
  if (quote === undefined) {
    quote = { path: key, price: key.length * 3, note: `quote for ${key} `.repeat(8) };
    quotes.set(key, quote);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ price: quote.price }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
