// After prometheus/client_js#741 (every label combination is kept in memory for the life of the
// process): a request-duration histogram labelled with the raw URL. Every distinct URL
// (/orders/1, /orders/2, ...) becomes a new series with its own bucket counters, forever.
import http from 'node:http';
import client from 'prom-client';

const register = new client.Registry();
const duration = new client.Histogram({
  name: 'http_request_duration_seconds',
  help: 'Request duration by method, route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
  registers: [register],
});

async function handle(req, res) {
  if (req.url === '/metrics') {
    res.setHeader('content-type', register.contentType);
    return res.end(await register.metrics());
  }
  const end = duration.startTimer();
  res.on('finish', () => {
    end({ method: req.method, route: req.url, status: res.statusCode });
  });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ order: req.url.split('/')[2] || null, status: 'open' }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
