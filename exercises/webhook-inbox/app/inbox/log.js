// Request-scoped logging: every line carries the id of the event being handled, without
// passing it through every call. The last lines are kept for GET /debug/log.
import { AsyncLocalStorage } from 'node:async_hooks';

const KEPT_LINES = 200;

const requestContext = new AsyncLocalStorage();
const recentLines = [];

function write(line) {
  recentLines.push(line);
  if (recentLines.length > KEPT_LINES) recentLines.shift();
  if (process.env.INBOX_LOG === 'stdout') console.log(line);
}

function log(message) {
  const context = requestContext.getStore();
  const prefix = context ? `[${context.eventId}] ` : '';
  write(`${new Date().toISOString()} ${prefix}${message}`);
}

/** Logs an error with the payload being handled, so a failed event can be replayed by hand. */
function logError(message, error) {
  const context = requestContext.getStore();
  const payload = context ? ` payload=${JSON.stringify(context.event)}` : '';
  log(`${message}: ${error instanceof Error ? error.message : String(error)}${payload}`);
}

export { requestContext, log, logError, recentLines };
