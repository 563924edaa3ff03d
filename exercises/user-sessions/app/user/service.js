// The user service: hands out ids for anonymous visitors and answers a few profile look-ups.
// The production version kept its counter in Redis; this copy keeps it in memory so the
// exercise runs offline.
import http from 'node:http';

const activeSessionsCache = {};
let sessionIdCounter = 0;
let anonymousCounter = 0;

const knownUsers = new Map([
  ['ada', { name: 'ada', email: 'ada@example.test', password: 'analytical' }],
  ['grace', { name: 'grace', email: 'grace@example.test', password: 'compiler' }],
]);

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function uniqueId(req, res) {
  anonymousCounter++;
  sessionIdCounter++;
  const assignedId = 'anonymous-' + anonymousCounter;
  // Session tracking for the "active visitors" dashboard.
  const sessionRecord = {
    timestamp: Date.now(),
    userAgent: req.headers['user-agent'],
    ip: req.socket.remoteAddress,
    assignedId,
    activityLog: Array(500).fill(`visit ${sessionIdCounter} for ${assignedId}`),
  };
  activeSessionsCache[sessionIdCounter] = sessionRecord;
  sendJson(res, 200, { uuid: assignedId });
}

async function login(req, res) {
  let credentials;
  try {
    credentials = JSON.parse(await readBody(req));
  } catch {
    sendJson(res, 400, { error: 'body must be JSON' });
    return;
  }
  const user = knownUsers.get(credentials.name);
  if (!user || user.password !== credentials.password) {
    sendJson(res, 404, { error: 'name or password is wrong' });
    return;
  }
  sendJson(res, 200, { name: user.name, email: user.email });
}

/** Creates the user service's HTTP server (not yet listening). */
function createUserService() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, 'http://user.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/uniqueid') return uniqueId(req, res);
    if (req.method === 'POST' && url.pathname === '/login') return void login(req, res);
    const match = /^\/check\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && match) {
      return knownUsers.has(match[1])
        ? sendJson(res, 200, { exists: true })
        : sendJson(res, 404, { exists: false });
    }
    sendJson(res, 404, { error: 'not found' });
  });
}

export { createUserService };
