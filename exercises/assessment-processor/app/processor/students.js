// What the processor knows about students: their past assessments from the document store
// (following records that point at a related student), and the attempts it scored recently,
// which the scoring API compares a new attempt against.

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

/** The student's records followed by those of related students, in the order they link. */
function withRelated(studentId, byStudent) {
  const items = byStudent.get(studentId) ?? [];
  const related = [];
  for (const item of items) {
    if (item.relatedId) related.push(...withRelated(item.relatedId, byStudent));
  }
  return [...items, ...related];
}

/** The history the scoring API needs for `studentId`: past assessments, related ones included. */
async function fetchStudentHistory(ddb, studentId) {
  return withRelated(studentId, await loadRecords(ddb, studentId));
}

/** Attempts scored by this processor, by student and assessment type, oldest first. */
class RecentAttempts {
  constructor() {
    this.byKey = {};
  }

  /** Remembers what was computed for one attempt. */
  remember(studentId, type, attempt) {
    const key = `${studentId}-${type}`;
    (this.byKey[key] ??= []).push(attempt);
  }

  /** The score of the student's previous attempt of this type, if there was one. */
  previousScore(studentId, type) {
    const attempts = this.byKey[`${studentId}-${type}`];
    return attempts?.at(-1)?.result?.score;
  }
}

export { fetchStudentHistory, RecentAttempts };
