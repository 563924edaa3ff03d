// The Lambda entry point, as deployed: one processor instance is kept between invocations (the
// runtime reuses warm containers), and each invocation gets an SQS-style batch of assessments.
import { AssessmentProcessor } from './processor.js';

let processor; // reused across invocations

/**
 * Scores every assessment of the batch and stores the results. Each assessment is processed
 * once, here. A failed one is returned as a batch item failure: the queue keeps the message
 * and redelivers it later, so this process keeps nothing of it.
 */
async function handler(event) {
  processor ??= new AssessmentProcessor({
    scoringUrl: process.env.SCORING_URL,
    documentsUrl: process.env.DOCUMENTS_URL,
  });

  const outcomes = await Promise.allSettled(
    event.Records.map((record) => processor.processAssessment(JSON.parse(record.body))),
  );
  const batchItemFailures = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status !== 'rejected') return;
    const { studentId } = JSON.parse(event.Records[i].body);
    console.error(`Processing failed for ${studentId}: ${outcome.reason.message}`);
    batchItemFailures.push({ itemIdentifier: event.Records[i].messageId });
  });

  processor.emit('batch-complete', event.batchId);
  return { processed: outcomes.length - batchItemFailures.length, batchItemFailures };
}

export { handler, AssessmentProcessor };
