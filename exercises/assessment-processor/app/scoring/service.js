// A local stand-in for the external scoring API. It scores an assessment from its answers and
// refuses assessments without any (422), like the real API. Given the student's previous
// score, it reports the change. It counts what it was asked.
import http from 'node:http';

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Creates the scoring API's HTTP server (not yet listening). */
function createScoringService() {
  const counts = { scored: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://scoring.local');
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/stats') return sendJson(res, 200, counts);
    if (req.method === 'POST' && url.pathname === '/score') {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return sendJson(res, 400, { error: 'body must be JSON' });
        }
        const answers =
          body.assessment && Array.isArray(body.assessment.answers) ? body.assessment.answers : [];
        if (answers.length === 0) {
          counts.refused++;
          return sendJson(res, 422, { error: 'assessment has no answers' });
        }
        counts.scored++;
        const correct = answers.filter((a) => a === 'correct').length;
        const history = Array.isArray(body.history) ? body.history : [];
        const score = Math.round((100 * correct) / answers.length);
        sendJson(res, 200, {
          studentId: body.assessment.studentId,
          score,
          change: typeof body.previousScore === 'number' ? score - body.previousScore : null,
          basedOn: history.length,
          scoredBy:
            req.headers['x-student-id'] === body.assessment.studentId ? 'student-scoped' : 'shared',
        });
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  });
  return server;
}

export { createScoringService };
