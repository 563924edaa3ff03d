// After debug-js/debug#678, on debug@4.3: the same per-call debug instances, but since 4.3.0
// debug keeps no list of instances, so each one is garbage once the request is answered.
import http from 'node:http';
import createDebug from 'debug';

function handle(req, res) {
  const userId = req.url.split('/')[2] || 'anonymous';
  const log = createDebug(`shop:user:${userId}`);
  log('%s %s', req.method, req.url);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ user: userId, ok: true }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
