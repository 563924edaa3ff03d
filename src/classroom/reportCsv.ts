import { csvCell } from '../progress/export';
import type { ClassReport } from './classReport';

/** Columns of the class CSV: one row per learner and exercise they started. */
export const CLASS_CSV_COLUMNS = [
  'learner',
  'exercise id',
  'title',
  'set',
  'status',
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
 * The class report as CSV (RFC 4180, CRLF), long format so a spreadsheet can pivot it. Cells
 * come from learners' files, so the progress export's `csvCell` quotes them and defuses any that
 * a spreadsheet would run as a formula.
 */
export function classReportCsv(report: ClassReport): string {
  const rows: string[][] = [[...CLASS_CSV_COLUMNS]];
  for (const learner of report.learners)
    for (const exercise of report.exercises) {
      const cell = learner.cells[exercise.id];
      if (!cell) continue;
      const tests = cell.lastTests;
      rows.push([
        learner.learner,
        exercise.id,
        exercise.title,
        exercise.set,
        cell.status,
        cell.started,
        cell.solved ?? '',
        String(cell.activeMinutes),
        String(cell.hints),
        String(cell.snapshots),
        String(cell.testRuns),
        tests ? `${tests.passed} passed, ${tests.failed} failed` : '',
        String(cell.leakChecks),
        cell.lastVerdict ?? '',
      ]);
    }
  return rows.map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
