// What the processor knows about students: their past assessments from the document store
// (following records that point at a related student), and the attempts it scored recently,
// which the scoring API compares a new attempt against.

// Enough students for a warm container's recent traffic; the oldest is forgotten first.
const MAX_REMEMBERED_STUDENTS = 1000;

/** Loads each student's records once, starting from `studentId`, keyed by student. */
async function loadRecords(ddb, studentId) {
  const byStudent = new Map();
  const pending = [studentId];
  while (pending.length) {
    const id = pending.shift();
    if (byStudent.has(id)) continue;
    const { Items } = await ddb
      .query({
        TableName: 'Assessments',
        KeyConditionExpression: 'studentId = :sid',
        ExpressionAttributeValues: { ':sid': id },
      })
      .promise();
    byStudent.set(id, Items);
    for (const item of Items) if (item.relatedId) pending.push(item.relatedId);
  }
  return byStudent;
}

/**
 * The student's records followed by those of related students, in the order they link. Related
 * records can point back (two students linked to each other), so each student is visited once.
 */
function withRelated(studentId, byStudent, visited = new Set()) {
  visited.add(studentId);
  const items = byStudent.get(studentId) ?? [];
  const related = [];
  for (const item of items) {
    if (item.relatedId && !visited.has(item.relatedId))
      related.push(...withRelated(item.relatedId, byStudent, visited));
  }
  return [...items, ...related];
}

/** The history the scoring API needs for `studentId`: past assessments, related ones included. */
async function fetchStudentHistory(ddb, studentId) {
  return withRelated(studentId, await loadRecords(ddb, studentId));
}

/**
 * The latest score per student and assessment type: all the scoring API compares against.
 * Only that number is kept, not the attempt it came from, and only for a bounded number of
 * students (least recently scored forgotten first).
 */
class RecentAttempts {
  constructor() {
    this.latestScore = new Map();
  }

  /** Remembers the score of one attempt. */
  remember(studentId, type, attempt) {
    const key = `${studentId}-${type}`;
    this.latestScore.delete(key);
    this.latestScore.set(key, attempt.result?.score);
    if (this.latestScore.size > MAX_REMEMBERED_STUDENTS)
      this.latestScore.delete(this.latestScore.keys().next().value);
  }

  /** The score of the student's previous attempt of this type, if there was one. */
  previousScore(studentId, type) {
    return this.latestScore.get(`${studentId}-${type}`);
  }
}

export { fetchStudentHistory, RecentAttempts };
