// Healthy: a product service that caches what it builds in lru-cache with `max: 200`. The load
// asks for ever-new ids, so the cache fills during the warm-up and then evicts one entry for
// each one it adds: memory stays flat.
import http from 'node:http';
import { LRUCache } from 'lru-cache';

const cache = new LRUCache({ max: 200 });

function buildProduct(id) {
  return {
    id,
    name: `Product ${id}`,
    description: `A fine product with id ${id}. `.repeat(20),
    tags: ['corpus', 'healthy', `batch-${Number(id) % 10}`],
    prices: Array.from({ length: 8 }, (_, i) => ({ currency: `C${i}`, amount: Number(id) * i })),
  };
}

function handle(req, res) {
  const id = req.url.split('/')[2] || '0';
  let product = cache.get(id);
  if (!product) {
    product = buildProduct(id);
    cache.set(id, product);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ id: product.id, name: product.name }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
