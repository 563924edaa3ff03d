// A local front for the Lambda handler: POST /invoke with an SQS-style event
// ({ "Records": [{ "messageId": "...", "body": "<assessment JSON>" }] }) runs one invocation.
import http from 'node:http';
import { handler } from './handler.js';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the invocation front's HTTP server (not yet listening). */
function createProcessorService() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://processor.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method !== 'POST' || url.pathname !== '/invoke')
      return sendJson(res, 404, { error: 'not found' });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendJson(res, 400, { errorMessage: 'event must be JSON' });
      }
      if (!Array.isArray(event.Records))
        return sendJson(res, 400, { errorMessage: 'event has no Records' });
      handler(event).then(
        (result) => sendJson(res, 200, result),
        (error) => sendJson(res, 500, { errorType: error.name, errorMessage: error.message }),
      );
    });
  });
}

export { createProcessorService };
