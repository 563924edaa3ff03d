// After debug-js/debug#678: a debug instance created inside a function, once per call. debug@3
// keeps every instance it ever made in `createDebug.instances` (so enable() can update them).
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
