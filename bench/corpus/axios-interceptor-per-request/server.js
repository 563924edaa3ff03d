// After axios/axios#1645 and #4345 ("interceptors persist"): a request interceptor registered on
// a shared axios instance inside the request handler, to forward the caller's headers. The
// instance's `interceptors.request.handlers` array only ever grows, and each interceptor's
// closure keeps that request's `req` (and its socket) alive. The upstream is an in-process
// stock service on another loopback port, so the case needs no network.
import http from 'node:http';
import axios from 'axios';

const host = process.env.HOST || '127.0.0.1';

const stock = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ sku: req.url.split('/')[2] || null, available: 7 }));
});

stock.listen(0, '127.0.0.1', () => {
  const api = axios.create({
    baseURL: `http://127.0.0.1:${stock.address().port}`,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    proxy: false,
  });

  async function handle(req, res) {
    api.interceptors.request.use((config) => {
      config.headers['x-forwarded-for'] = req.socket.remoteAddress;
      config.headers['x-client'] = req.headers['user-agent'] || 'unknown';
      return config;
    });
    try {
      const sku = req.url.split('/')[2] || '0';
      const { data } = await api.get(`/stock/${sku}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sku, inStock: data.available > 0 }));
    } catch (error) {
      res.statusCode = 502;
      res.end(String(error.message));
    }
  }

  http.createServer(handle).listen(Number(process.env.PORT) || 3000, host);
});
