// The assessment processor, as deployed to the Lambda runtime: one processor instance is kept
// between invocations (the runtime reuses warm containers), and each invocation gets an
// SQS-style batch of assessments to score and store.
import EventEmitter from 'node:events';
import { ApiClient, DocumentClient } from './clients.js';

class AssessmentProcessor extends EventEmitter {
  constructor({ scoringUrl, documentsUrl }) {
    super();
    this.scoringUrl = scoringUrl;
    this.ddb = new DocumentClient({ endpoint: documentsUrl });
    this.processingQueue = [];
    this.activeConnections = new Map();
    this.cache = {};
    this.batches = 0;

    // Listen for processing events
    this.on('assessment-received', (assessment) => {
      this.processAssessment(assessment).catch(() => {
        // already logged and queued for retry by processAssessment
      });
    });
    this.on('batch-complete', this.handleBatchComplete.bind(this));
  }

  async processAssessment(assessment) {
    const connectionId = `conn-${Date.now()}-${Math.random()}`;

    try {
      // Step 1: a client for the scoring API, scoped to this student
      const connection = await this.createApiConnection(assessment.studentId);
      this.activeConnections.set(connectionId, connection);

      // Step 2: the student's history, following related records
      const history = await this.fetchStudentHistory(assessment.studentId, assessment.type);

      // Step 3: cache the processed data
      const cacheKey = `${assessment.studentId}-${assessment.type}`;
      this.cache[cacheKey] = { assessment, history, connection, timestamp: Date.now() };

      // Step 4: score it
      const scoringResult = await this.callScoringApi(connection, assessment, history);

      // Step 5: store the result
      await this.writeResults(assessment.studentId, scoringResult);

      return scoringResult;
    } catch (error) {
      console.error(`Processing failed for ${assessment.studentId}: ${error.message}`);
      this.processingQueue.push(assessment); // retry later
      throw error;
    }
  }

  async fetchStudentHistory(studentId, type, depth = 0) {
    if (depth > 10) return [];

    const history = await this.ddb
      .query({
        TableName: 'Assessments',
        KeyConditionExpression: 'studentId = :sid',
        ExpressionAttributeValues: { ':sid': studentId },
      })
      .promise();

    // Follow related assessments
    const related = [];
    for (const item of history.Items) {
      if (item.relatedId) {
        const subHistory = await this.fetchStudentHistory(item.relatedId, type, depth + 1);
        related.push(...subHistory);
      }
    }

    return [...history.Items, ...related];
  }

  async createApiConnection(studentId) {
    const connection = new ApiClient({
      baseURL: this.scoringUrl,
      timeout: 30000,
      headers: { 'X-Student-Id': studentId },
    });

    connection.useResponseInterceptor(
      (response) => response,
      (error) => {
        console.error(`Scoring API error for ${studentId}: ${error.message}`);
        return Promise.reject(error);
      },
    );

    // Back off together when the scoring API says we are over its rate limit.
    this.on('throttle', () => connection.pause());

    return connection;
  }

  async callScoringApi(connection, assessment, history) {
    const response = await connection.post('/score', {
      assessment,
      history,
      timestamp: Date.now(),
    });
    return response.data;
  }

  async writeResults(studentId, result) {
    await this.ddb.put({ TableName: 'Results', Item: { studentId, result } }).promise();
  }

  handleBatchComplete() {
    this.batches++;
    // Note: connections not being cleaned up
  }
}

let processor; // reused across invocations

/** The Lambda entry point: scores every assessment of an SQS-style batch. */
async function handler(event) {
  processor ??= new AssessmentProcessor({
    scoringUrl: process.env.SCORING_URL,
    documentsUrl: process.env.DOCUMENTS_URL,
  });
  const assessments = event.Records.map((record) => JSON.parse(record.body));

  const results = await Promise.all(
    assessments.map((assessment) => {
      processor.emit('assessment-received', assessment);
      return processor.processAssessment(assessment);
    }),
  );

  processor.emit('batch-complete', event.batchId);
  return { processed: results.length };
}

export { handler, AssessmentProcessor };
