// The Lambda entry point, as deployed: one processor instance is kept between invocations (the
// runtime reuses warm containers), and each invocation gets an SQS-style batch of assessments.
import { AssessmentProcessor } from './processor.js';

let processor; // reused across invocations
const processingQueue = []; // assessments to retry later

/** Scores every assessment of the batch and stores the results. */
async function handler(event) {
  processor ??= new AssessmentProcessor({
    scoringUrl: process.env.SCORING_URL,
    documentsUrl: process.env.DOCUMENTS_URL,
  });

  const results = await Promise.all(
    event.Records.map(async (record) => {
      const assessment = JSON.parse(record.body);
      processor.emit('assessment-received', assessment);
      try {
        return await processor.processAssessment(assessment);
      } catch (error) {
        console.error(`Processing failed for ${assessment.studentId}: ${error.message}`);
        processingQueue.push({ record, assessment, error, failedAt: Date.now() });
        throw error;
      }
    }),
  );

  processor.emit('batch-complete', event.batchId);
  return { processed: results.length };
}

export { handler, AssessmentProcessor };
