// The assessment processor. The Lambda runtime keeps one instance warm between invocations, so
// whatever it holds lives as long as the container does.
import EventEmitter from 'node:events';
import { ApiClient, DocumentClient } from './clients.js';
import { fetchStudentHistory, RecentAttempts } from './students.js';

class AssessmentProcessor extends EventEmitter {
  constructor({ scoringUrl, documentsUrl }) {
    super();
    this.scoringUrl = scoringUrl;
    this.ddb = new DocumentClient({ endpoint: documentsUrl });
    this.activeConnections = new Map();
    this.attempts = new RecentAttempts();
    this.batches = 0;

    this.on('assessment-received', (assessment) => {
      this.processAssessment(assessment).catch(() => {
        // the handler reports failures
      });
    });
    this.on('batch-complete', this.handleBatchComplete.bind(this));
  }

  async processAssessment(assessment) {
    const connectionId = `conn-${Date.now()}-${Math.random()}`;

    // Step 1: a client for the scoring API, scoped to this student
    const connection = await this.createApiConnection(assessment.studentId);
    this.activeConnections.set(connectionId, connection);

    // Step 2: the student's history, following related records
    const history = await this.fetchStudentHistory(assessment.studentId, assessment.type);

    // Step 3: score it against the history and the previous attempt
    const previousScore = this.attempts.previousScore(assessment.studentId, assessment.type);
    const result = await this.callScoringApi(connection, assessment, history, previousScore);
    this.attempts.remember(assessment.studentId, assessment.type, {
      assessment,
      history,
      connection,
      result,
      timestamp: Date.now(),
    });

    // Step 4: store the result
    await this.writeResults(assessment.studentId, result);

    return result;
  }

  fetchStudentHistory(studentId) {
    return fetchStudentHistory(this.ddb, studentId);
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

  async callScoringApi(connection, assessment, history, previousScore) {
    const response = await connection.post('/score', {
      assessment,
      history,
      previousScore,
      timestamp: Date.now(),
    });
    return response.data;
  }

  async writeResults(studentId, result) {
    await this.ddb.put({ TableName: 'Results', Item: { studentId, result } }).promise();
  }

  handleBatchComplete() {
    this.batches++;
  }
}

export { AssessmentProcessor };
