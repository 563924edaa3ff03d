// After winstonjs/winston#2005 (and #1334): a logger created per request with a transport that
// handles exceptions. Each createLogger() adds its own 'uncaughtException' listener to `process`,
// which keeps the logger, its transports and its request metadata alive forever.
import http from 'node:http';
import winston from 'winston';

const level = process.env.LOG_LEVEL || 'warn';

function handle(req, res) {
  const requestId = req.url.split('/')[2] || '0';
  const logger = winston.createLogger({
    level,
    format: winston.format.json(),
    defaultMeta: { service: 'orders', requestId, userAgent: req.headers['user-agent'] },
    transports: [new winston.transports.Console({ handleExceptions: true })],
  });
  logger.info('order viewed', { path: req.url });
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ order: requestId, status: 'shipped' }));
}

http.createServer(handle).listen(Number(process.env.PORT) || 3000, process.env.HOST || '127.0.0.1');
