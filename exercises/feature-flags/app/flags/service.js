// The feature-flag service. The flag admin publishes updates (POST /flags/updates) that carry
// only the flags that changed, with who changed them and why; after a reconnect it replays the
// updates we missed as an array. Every backend asks GET /flags/<name>?user=<id> on its hot path.
import http from 'node:http';
import { compileRule } from './rules.js';

const empty = {
  version: 0,
  evaluate: () => undefined,
  describe: () => 'no flags published yet',
};

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the flag service; `server.flags()` is the flag set now in force. */
function createFlagService() {
  let current = empty;

  /** Puts one partial update in force: the flags it names change, every other flag stays. */
  function applyUpdate(update) {
    if (!update || typeof update.flags !== 'object' || update.flags === null)
      throw new TypeError('an update carries a "flags" object');
    const rules = new Map();
    for (const [name, rule] of Object.entries(update.flags))
      rules.set(name, compileRule(name, rule));
    const previous = current;
    const version = previous.version + 1;
    current = {
      version,
      evaluate(name, user) {
        const rule = rules.get(name);
        return rule ? rule(user) : previous.evaluate(name, user);
      },
      describe() {
        return `v${version} by ${update.author ?? 'unknown'}: ${update.note ?? ''} (${Object.keys(update.flags).join(', ')})`;
      },
    };
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://flags.local');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/flags/updates' && req.method === 'POST') {
      try {
        const body = await readJson(req);
        for (const update of Array.isArray(body) ? body : [body]) applyUpdate(update);
      } catch (error) {
        return sendJson(res, 400, { error: error.message });
      }
      return sendJson(res, 200, { version: current.version, latest: current.describe() });
    }
    if (url.pathname === '/flags/version')
      return sendJson(res, 200, { version: current.version, latest: current.describe() });
    const flag = url.pathname.match(/^\/flags\/([a-z0-9-]+)$/);
    if (flag && req.method === 'GET') {
      const user = url.searchParams.get('user') || 'anonymous';
      let on;
      try {
        on = current.evaluate(flag[1], user);
      } catch (error) {
        console.error(`evaluating ${flag[1]} failed:`, error);
        return sendJson(res, 500, { error: 'internal error' });
      }
      if (on === undefined) return sendJson(res, 404, { error: `no flag ${flag[1]}` });
      return sendJson(res, 200, { flag: flag[1], user, on, version: current.version });
    }
    sendJson(res, 404, { error: 'not found' });
  });
  return server;
}

export { createFlagService };
