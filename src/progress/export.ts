import { PROGRESS_SCHEMA_VERSION, iso, type ExerciseProgress } from './model';

/**
 * Who the export is about; given by the caller (the editor knows the machine id, when the host
 * has a real one).
 */
export interface ExportIdentity {
  learner: string;
  machineId?: string;
}

/** The JSON an instructor collects: the whole model plus who and when. */
export interface ProgressExport extends ExportIdentity {
  schemaVersion: typeof PROGRESS_SCHEMA_VERSION;
  exportedAt: string;
  exercises: ExerciseProgress[];
}

/** The whole progress model as pretty JSON, stamped with the learner and the export time. */
export function exportProgressJson(
  exercises: readonly ExerciseProgress[],
  identity: ExportIdentity,
  now: number,
): string {
  const document: ProgressExport = {
    schemaVersion: PROGRESS_SCHEMA_VERSION,
    exportedAt: iso(now),
    learner: identity.learner,
    ...(identity.machineId ? { machineId: identity.machineId } : {}),
    exercises: [...exercises],
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Column headers of the CSV export, in order (after `learner`, `machine id` when given). */
export const CSV_COLUMNS = [
  'id',
  'set',
  'title',
  'started',
  'solved',
  'active minutes',
  'hints revealed',
  'snapshots',
  'test runs',
  'last test result',
  'leak checks',
  'last verdict',
] as const;

/**
 * One row per exercise, RFC 4180 quoted, CRLF line ends. Cells are attacker-controlled in
 * imported packs (titles, ids), so a cell that a spreadsheet would run as a formula is defused.
 * With `identity`, each row starts with the learner and machine id, so an instructor can
 * concatenate the files of a whole class.
 */
export function exportProgressCsv(
  exercises: readonly ExerciseProgress[],
  identity?: ExportIdentity,
): string {
  const who = identity ? [identity.learner, identity.machineId ?? ''] : [];
  const header = [...(identity ? ['learner', 'machine id'] : []), ...CSV_COLUMNS];
  const rows = exercises.map((p) => {
    const lastRun = p.testRuns.at(-1);
    const lastCheck = p.leakChecks.at(-1);
    return [
      ...who,
      p.exerciseId,
      p.set,
      p.title,
      p.started,
      p.solved ?? '',
      (Math.round(p.activeSeconds / 6) / 10).toFixed(1),
      String(p.hints.length),
      String(p.snapshots.length),
      String(p.testRuns.length),
      lastRun ? describeTestRun(lastRun.passed, lastRun.failed, lastRun.skipped) : '',
      String(p.leakChecks.length),
      lastCheck
        ? `${lastCheck.verdict}${lastCheck.bytesPerRequest !== undefined ? ` (${Math.round(lastCheck.bytesPerRequest)} B/request)` : ''}`
        : '',
    ];
  });
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}

function describeTestRun(passed: number, failed: number, skipped: number): string {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

/**
 * Quotes a cell when needed and defuses spreadsheet formulas: a cell starting with `=`, `+`,
 * `-`, `@` (or a tab or carriage return, which some spreadsheets skip) gets a leading `'`.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
