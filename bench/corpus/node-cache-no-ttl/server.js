// After node-cache/node-cache#155 and #113: a NodeCache with the defaults (stdTTL 0 = never
// expires, maxKeys -1 = unlimited) used to memoise a per-request lookup keyed by the request URL.
import http from 'node:http';
import NodeCache from 'node-cache';

const quotes = new NodeCache();

function handle(req, res) {
  const key = req.url;
  let quote = quotes.get(key);
  if (quote === undefined) {
    quote = { path: key, price: key.length * 3, note: `quote for ${key} `.repeat(8) };
    quotes.set(key, quote);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ price: quote.price }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
