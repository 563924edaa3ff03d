// The fix usually given for winstonjs/winston#2005 (and #1334): one logger for the process,
// created once with the exception-handling transport, and a cheap child logger per request that
// carries the request metadata and is garbage once the request is answered.
import http from 'node:http';
import winston from 'winston';

const logger = winston.createLogger({
  level: process.env.LOG_LEVEL || 'warn',
  format: winston.format.json(),
  defaultMeta: { service: 'orders' },
  transports: [new winston.transports.Console({ handleExceptions: true })],
});

function handle(req, res) {
  const requestId = req.url.split('/')[2] || '0';
  const log = logger.child({ requestId, userAgent: req.headers['user-agent'] });
  log.info('order viewed', { path: req.url });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ order: requestId, status: 'shipped' }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
