// The assessment processor. The Lambda runtime keeps one instance warm between invocations, so
// whatever it holds lives as long as the container does: it holds one scoring client for
// every student (the student goes in each request's header), made once with its interceptor
// and its throttle listener, instead of a client per assessment.
import EventEmitter from 'node:events';
import { ApiClient, DocumentClient } from './clients.js';
import { fetchStudentHistory, RecentAttempts } from './students.js';

class AssessmentProcessor extends EventEmitter {
  constructor({ scoringUrl, documentsUrl }) {
    super();
    this.ddb = new DocumentClient({ endpoint: documentsUrl });
    this.attempts = new RecentAttempts();
    this.batches = 0;
    this.scoring = new ApiClient({ baseURL: scoringUrl, timeout: 30000 });
    this.scoring.useResponseInterceptor(
      (response) => response,
      (error) => {
        console.error(`Scoring API error: ${error.message}`);
        return Promise.reject(error);
      },
    );

    // Back off when the scoring API says we are over its rate limit.
    this.on('throttle', () => this.scoring.pause());
    this.on('batch-complete', this.handleBatchComplete.bind(this));
  }

  async processAssessment(assessment) {
    const history = await this.fetchStudentHistory(assessment.studentId, assessment.type);

    const previousScore = this.attempts.previousScore(assessment.studentId, assessment.type);
    const result = await this.callScoringApi(assessment, history, previousScore);
    this.attempts.remember(assessment.studentId, assessment.type, {
      assessment,
      history,
      result,
      timestamp: Date.now(),
    });

    await this.writeResults(assessment.studentId, result);
    return result;
  }

  fetchStudentHistory(studentId) {
    return fetchStudentHistory(this.ddb, studentId);
  }

  async callScoringApi(assessment, history, previousScore) {
    const response = await this.scoring.post(
      '/score',
      { assessment, history, previousScore, timestamp: Date.now() },
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

export { AssessmentProcessor };
