import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createScoringService } from '../scoring/service.js';
import { createDocumentService } from '../documents/service.js';
import { listen, close, request, bytesKeptPerRequest, agent } from '../testkit/helpers.js';

const scoring = createScoringService();
const documents = createDocumentService();
let processorServer;
let invokeUrl;
let scoringUrl;
let documentsUrl;
let AssessmentProcessor;

before(async () => {
  scoringUrl = await listen(scoring);
  documentsUrl = await listen(documents);
  // The handler reads its collaborators' URLs from the environment, like the deployed one.
  process.env.SCORING_URL = scoringUrl;
  process.env.DOCUMENTS_URL = documentsUrl;
  ({ AssessmentProcessor } = await import('../processor/handler.js'));
  const { createProcessorService } = await import('../processor/service.js');
  processorServer = createProcessorService();
  invokeUrl = `${await listen(processorServer)}/invoke`;
});

after(async () => {
  agent.destroy();
  (await import('../processor/clients.js')).sharedAgent.destroy();
  await close(processorServer);
  await close(scoring);
  await close(documents);
});

function assessment(studentId, answers = ['correct', 'wrong', 'correct', 'correct']) {
  return { studentId, type: 'reading', answers };
}

function event(assessments) {
  return {
    batchId: 'b-1',
    Records: assessments.map((a, i) => ({ messageId: `m-${i}`, body: JSON.stringify(a) })),
  };
}

test('an invocation scores every assessment once and stores the result', async () => {
  const before = (await request(`${scoringUrl}/stats`)).body.scored;
  const answer = await request(invokeUrl, {
    method: 'POST',
    body: event([assessment('s-1'), assessment('s-2'), assessment('s-3')]),
  });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.processed, 3);
  const after = (await request(`${scoringUrl}/stats`)).body.scored;
  assert.equal(after - before, 3, 'the scoring API was called more than once per assessment');
  const stored = await request(`${documentsUrl}/results/s-2`);
  assert.equal(stored.body.result.score, 75);
});

test('an assessment the scoring API refuses is reported as a batch item failure; the rest are scored', async () => {
  const answer = await request(invokeUrl, {
    method: 'POST',
    body: event([assessment('s-4'), assessment('s-5', []), assessment('s-6')]),
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.processed, 2);
  assert.deepEqual(answer.body.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
});

test("history includes related students' records, each listed once", async () => {
  const processor = new AssessmentProcessor({ scoringUrl, documentsUrl });
  const cyclic = await processor.fetchStudentHistory('s-7', 'reading');
  assert.deepEqual(cyclic.map((item) => item.assessmentId).sort(), [
    's-7-past-1',
    's-7-past-2',
    's-8-past-1',
    's-8-past-2',
  ]);
  const chain = await processor.fetchStudentHistory('s-20', 'reading');
  assert.deepEqual(chain.map((item) => item.assessmentId).sort(), [
    's-20-past-1',
    's-20-past-2',
    's-21-past-1',
    's-21-past-2',
  ]);
});

test("a student's next attempt is scored against the previous one", async () => {
  const first = await request(invokeUrl, {
    method: 'POST',
    body: event([assessment('s-30', ['correct', 'wrong', 'wrong', 'correct'])]),
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const second = await request(invokeUrl, {
    method: 'POST',
    body: event([assessment('s-30', ['correct', 'correct', 'correct', 'correct'])]),
  });
  assert.equal(second.status, 200, JSON.stringify(second.body));
  const stored = await request(`${documentsUrl}/results/s-30`);
  assert.equal(stored.body.result.score, 100);
  assert.equal(stored.body.result.change, 50);
});

test('memory: the warm processor stays flat across invocations', async (t) => {
  const originalError = console.error;
  console.error = () => {}; // refused assessments are logged on every invocation
  try {
    const perInvocation = await bytesKeptPerRequest({
      warmup: 200,
      count: 600,
      send: (i) =>
        request(invokeUrl, {
          method: 'POST',
          body: event([
            assessment(`s-${i % 20}`),
            assessment(`s-${(i + 7) % 20}`),
            assessment('s-7'),
            assessment('s-9', []),
            assessment('s-13', []),
          ]),
        }),
    });
    t.diagnostic(`heap kept per invocation: ${Math.round(perInvocation)} bytes`);
    assert.ok(
      perInvocation < 1200,
      `the processor kept ${Math.round(perInvocation)} bytes per invocation`,
    );
  } finally {
    console.error = originalError;
  }
});
