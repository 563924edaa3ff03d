// A local stand-in for the document store (DynamoDB in production): past assessments by
// student, and the latest result per student. Some past assessments point at a related
// student's record; two students point at each other.
import http from 'node:http';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const RELATED = { 's-7': 's-8', 's-8': 's-7', 's-20': 's-21' };

/**
 * The stored history of one student: two past assessments with the teacher's feedback, the
 * second maybe related to another student's.
 */
function historyOf(studentId) {
  const n = Number(studentId.replace(/\D/g, '')) || 0;
  const items = [
    {
      studentId,
      assessmentId: `${studentId}-past-1`,
      type: 'reading',
      score: (n * 7) % 100,
      feedback: `Reading check ${n}: fluent on the first two passages, hesitant on the third; revisit vowel teams and re-read aloud with a partner before the next check.`,
    },
    {
      studentId,
      assessmentId: `${studentId}-past-2`,
      type: 'math',
      score: (n * 13) % 100,
      feedback: `Number sense ${n}: place value secure up to thousands, regrouping errors when subtracting across zeros; practise with base-ten blocks, then on paper.`,
    },
  ];
  if (RELATED[studentId]) items[1].relatedId = RELATED[studentId];
  return items;
}

/** Creates the document store's HTTP server (not yet listening). */
function createDocumentService() {
  const results = new Map();
  const counts = { queries: 0, writes: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://documents.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/stats')
      return sendJson(res, 200, { ...counts, students: results.size });
    const result = /^\/results\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && result) {
      const stored = results.get(decodeURIComponent(result[1]));
      return stored ? sendJson(res, 200, stored) : sendJson(res, 404, { error: 'no result' });
    }
    if (req.method !== 'POST' || (url.pathname !== '/query' && url.pathname !== '/put'))
      return sendJson(res, 404, { error: 'not found' });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return sendJson(res, 400, { error: 'body must be JSON' });
      }
      if (typeof body.studentId !== 'string')
        return sendJson(res, 400, { error: 'studentId is required' });
      if (url.pathname === '/query') {
        counts.queries++;
        return sendJson(res, 200, { Items: historyOf(body.studentId) });
      }
      counts.writes++;
      results.set(body.studentId, {
        studentId: body.studentId,
        result: body.result,
        writtenAt: Date.now(),
      });
      sendJson(res, 200, { ok: true });
    });
  });
  return server;
}

export { createDocumentService };
