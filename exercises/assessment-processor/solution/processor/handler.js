// The assessment processor, as deployed to the Lambda runtime: one processor instance is kept
// between invocations (the runtime reuses warm containers), and each invocation gets an
// SQS-style batch of assessments to score and store.
//
// Because the instance outlives invocations, nothing it holds may grow per assessment:
// one scoring client for all students, a bounded cache of small results, no in-memory retry
// queue (failed items go back to the queue as batch item failures), and each assessment is
// processed by exactly one code path.
import EventEmitter from 'node:events';
import { ApiClient, DocumentClient } from './clients.js';

const MAX_CACHED_RESULTS = 200;
const MAX_HISTORY_DEPTH = 10;

class AssessmentProcessor extends EventEmitter {
  constructor({ scoringUrl, documentsUrl }) {
    super();
    this.ddb = new DocumentClient({ endpoint: documentsUrl });
    this.cache = new Map();
    this.batches = 0;
    this.scoring = new ApiClient({ baseURL: scoringUrl, timeout: 30000 });
    this.scoring.useResponseInterceptor(
      (response) => response,
      (error) => {
        console.error(`Scoring API error: ${error.message}`);
        return Promise.reject(error);
      },
    );
    // One listener for the one shared client, registered once.
    this.on('throttle', () => this.scoring.pause());
    this.on('batch-complete', this.handleBatchComplete.bind(this));
  }

  async processAssessment(assessment) {
    const history = await this.fetchStudentHistory(assessment.studentId, assessment.type);
    const scoringResult = await this.callScoringApi(assessment, history);
    await this.writeResults(assessment.studentId, scoringResult);

    // Keep only the small result, and only for a bounded number of recent students.
    const cacheKey = `${assessment.studentId}-${assessment.type}`;
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, { score: scoringResult.score, timestamp: Date.now() });
    if (this.cache.size > MAX_CACHED_RESULTS) this.cache.delete(this.cache.keys().next().value);

    return scoringResult;
  }

  /** The student's history plus related students' records, each student visited once. */
  async fetchStudentHistory(studentId) {
    const visited = new Set();
    const items = [];
    let frontier = [studentId];
    for (let depth = 0; frontier.length && depth <= MAX_HISTORY_DEPTH; depth++) {
      const next = [];
      for (const id of frontier) {
        if (visited.has(id)) continue;
        visited.add(id);
        const history = await this.ddb
          .query({
            TableName: 'Assessments',
            KeyConditionExpression: 'studentId = :sid',
            ExpressionAttributeValues: { ':sid': id },
          })
          .promise();
        for (const item of history.Items) {
          items.push(item);
          if (item.relatedId && !visited.has(item.relatedId)) next.push(item.relatedId);
        }
      }
      frontier = next;
    }
    return items;
  }

  async callScoringApi(assessment, history) {
    const response = await this.scoring.post(
      '/score',
      { assessment, history, timestamp: Date.now() },
      { headers: { 'X-Student-Id': assessment.studentId } },
    );
    return response.data;
  }

  async writeResults(studentId, result) {
    await this.ddb.put({ TableName: 'Results', Item: { studentId, result } }).promise();
  }

  handleBatchComplete() {
    this.batches++;
  }
}

let processor; // reused across invocations

/**
 * The Lambda entry point: scores every assessment of an SQS-style batch. Failed items are
 * returned as `batchItemFailures`, so the queue redelivers them instead of this process
 * keeping them.
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
    if (outcome.status === 'rejected')
      batchItemFailures.push({ itemIdentifier: event.Records[i].messageId });
  });
  processor.emit('batch-complete', event.batchId);
  return { processed: outcomes.length - batchItemFailures.length, batchItemFailures };
}

export { handler, AssessmentProcessor };
