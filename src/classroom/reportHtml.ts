import { createHash } from 'node:crypto';
import { escapeMarkup } from '../common/text';
import type { ClassReport, ExerciseSummary, ReportCell } from './classReport';

/**
 * The class report as one self-contained HTML page: no script, no network, an inline SVG chart
 * drawn here. Learner names, titles and file names come from learners' files, so every one is
 * escaped as text, and a strict CSP (only the page's own style block, by hash) stops anything
 * that slipped through from running or loading.
 */

const COLOURS = { solved: '#2e7d32', started: '#f0a202', notStarted: '#d5dbe0' };

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2429;
  margin: 24px auto; max-width: 1240px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #5b6670; margin: 0 0 16px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #d5dbe0; border-radius: 6px; padding: 8px 14px; min-width: 150px; }
.card b { display: block; font-size: 20px; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e3e7ea; padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f7; font-weight: 600; }
table.learners { table-layout: fixed; }
table.learners col.learner { width: 150px; }
table.learners col.figure { width: 76px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.solved { color: #1b5e20; }
.started { color: #8a5a00; }
.none { color: #9aa4ab; }
.small { color: #5b6670; font-size: 12px; }
.warnings { color: #8a1c1c; }
svg text { font: 12px system-ui, -apple-system, 'Segoe UI', sans-serif; fill: #1d2429; }
svg text.inbar { fill: #ffffff; font-weight: 600; }
`;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function minutes(value: number | undefined): string {
  return value === undefined ? '—' : `${Math.round(value)} min`;
}

/** Cuts a label to fit the chart's label column; the full text is in the tables and tooltips. */
function fit(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A horizontal stacked bar per exercise: solved, started, not started, out of the class. */
export function statusChartSvg(report: ClassReport): string {
  const classSize = report.learners.length;
  const labelWidth = 230;
  const barWidth = 560;
  const countWidth = 120;
  const rowHeight = 34;
  const top = 40;
  const width = labelWidth + barWidth + countWidth;
  const height = top + report.exercises.length * rowHeight + 30;
  const x = (n: number) => labelWidth + (classSize ? (n / classSize) * barWidth : 0);
  const parts: string[] = [];

  const legend: [string, string][] = [
    [COLOURS.solved, 'solved'],
    [COLOURS.started, 'started, not solved'],
    [COLOURS.notStarted, 'not started'],
  ];
  let legendX = labelWidth;
  for (const [colour, label] of legend) {
    parts.push(`<rect x="${legendX}" y="8" width="12" height="12" fill="${colour}"/>`);
    parts.push(`<text x="${legendX + 17}" y="18">${label}</text>`);
    legendX += 34 + label.length * 6.5;
  }
  for (const share of [0, 0.25, 0.5, 0.75, 1]) {
    const gx = labelWidth + share * barWidth;
    const bottom = top + report.exercises.length * rowHeight;
    parts.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${bottom}" stroke="#e3e7ea" stroke-width="1"/>`,
      `<text x="${gx}" y="${bottom + 16}" text-anchor="middle">${Math.round(share * 100)}%</text>`,
    );
  }
  report.exercises.forEach((e, i) => {
    const y = top + i * rowHeight;
    const segments: [number, number, string, string][] = [
      [0, e.solved, COLOURS.solved, `${e.solved} solved`],
      [e.solved, e.started, COLOURS.started, `${e.started - e.solved} started, not solved`],
      [e.started, classSize, COLOURS.notStarted, `${e.notStarted} not started`],
    ];
    parts.push(
      `<text x="${labelWidth - 10}" y="${y + 18}" text-anchor="end">${escapeMarkup(fit(e.title, 34))}<title>${escapeMarkup(e.title)}</title></text>`,
    );
    for (const [from, to, colour, tip] of segments) {
      if (to <= from) continue;
      const sx = x(from);
      const sw = x(to) - sx;
      parts.push(
        `<rect x="${sx.toFixed(1)}" y="${y + 4}" width="${sw.toFixed(1)}" height="${rowHeight - 10}" fill="${colour}"><title>${escapeMarkup(`${e.title}: ${tip}`)}</title></rect>`,
      );
      if (colour !== COLOURS.notStarted && sw >= 22)
        parts.push(
          `<text class="inbar" x="${(sx + sw / 2).toFixed(1)}" y="${y + 18}" text-anchor="middle">${to - from}</text>`,
        );
    }
    parts.push(
      `<text x="${labelWidth + barWidth + 10}" y="${y + 18}">${e.solved}/${classSize} solved</text>`,
    );
  });
  const label = `Learners per exercise: solved, started and not started, out of ${classSize}`;
  return `<svg role="img" aria-label="${escapeMarkup(label)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join('')}</svg>`;
}

function exerciseRow(e: ExerciseSummary): string {
  return `<tr><td>${escapeMarkup(e.title)}<div class="small">${escapeMarkup(e.id)}</div></td>
<td class="num">${e.started}</td><td class="num">${e.solved}</td>
<td class="num">${minutes(e.medianMinutesToSolve)}</td>
<td class="num">${e.medianHints === undefined ? '—' : e.medianHints}</td>
<td class="num">${e.testRuns}</td><td class="num">${e.leakChecks}</td></tr>`;
}

function learnerCell(cell: ReportCell | undefined): string {
  if (!cell) return '<td class="none">—</td>';
  const lines = [
    `${cell.status === 'solved' ? '✓ solved' : 'started'} · ${cell.activeMinutes} min`,
    `${plural(cell.hints, 'hint')} · ${plural(cell.testRuns, 'test')} · ${plural(cell.leakChecks, 'check')}`,
  ];
  const last =
    cell.status === 'started' && cell.lastVerdict ? `last check: ${cell.lastVerdict}` : undefined;
  return `<td class="${cell.status}">${escapeMarkup(lines[0]!)}<div class="small">${escapeMarkup(lines[1]!)}${last ? `<br>${escapeMarkup(last)}` : ''}</div></td>`;
}

/** The whole page. `warnings` are the files that could not be read (shown, escaped). */
export function classReportHtml(report: ClassReport, warnings: readonly string[] = []): string {
  const learners = report.learners.length;
  const possible = learners * report.exercises.length;
  const solved = report.learners.reduce((sum, l) => sum + l.solvedCount, 0);
  const solvedCells = report.learners.flatMap((l) =>
    Object.values(l.cells).filter((c) => c.status === 'solved'),
  );
  const sortedMinutes = solvedCells.map((c) => c.activeMinutes).sort((a, b) => a - b);
  const medianSolve = sortedMinutes.length
    ? sortedMinutes[Math.floor((sortedMinutes.length - 1) / 2)]
    : undefined;
  const hints = report.learners.reduce(
    (sum, l) => sum + Object.values(l.cells).reduce((s, c) => s + c.hints, 0),
    0,
  );
  const cards: [string, string][] = [
    [String(learners), 'learners'],
    [
      `${solved} / ${possible}`,
      `exercises solved (${possible ? Math.round((solved / possible) * 100) : 0}%)`,
    ],
    [minutes(medianSolve), 'median active time per solved exercise'],
    [String(hints), 'hints revealed'],
  ];
  const csp = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;
  const header = report.exercises.map((e) => `<th>${escapeMarkup(fit(e.title, 28))}</th>`).join('');
  const learnerRows = report.learners
    .map(
      (l) =>
        `<tr><td>${escapeMarkup(l.learner)}</td>${report.exercises.map((e) => learnerCell(l.cells[e.id])).join('')}<td class="num">${l.solvedCount}</td><td class="num">${l.activeMinutes} min</td></tr>`,
    )
    .join('\n');
  const merged = report.merged.length
    ? `<p class="small">Read from several files (each exercise keeps the record furthest along): ${report.merged.map(escapeMarkup).join(', ')}.</p>`
    : '';
  const warningList = warnings.length
    ? `<h2>Files not used</h2><ul class="warnings">${warnings.map((w) => `<li>${escapeMarkup(w)}</li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Leak Hunt class report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Leak Hunt class report</h1>
<p class="meta">${plural(learners, 'learner')}, ${plural(report.exercises.length, 'exercise')}; generated ${escapeMarkup(report.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</p>
<div class="cards">${cards.map(([value, label]) => `<div class="card"><b>${escapeMarkup(value)}</b>${escapeMarkup(label)}</div>`).join('')}</div>
<h2>Progress per exercise</h2>
${statusChartSvg(report)}
<h2>By exercise</h2>
<table>
<tr><th>Exercise</th><th class="num">Started</th><th class="num">Solved</th><th class="num">Median time to solve</th><th class="num">Median hints</th><th class="num">Test runs</th><th class="num">Leak checks</th></tr>
${report.exercises.map(exerciseRow).join('\n')}
</table>
<h2>By learner</h2>
<p class="small">Each exercise: solved or started, active time; hints revealed, test runs and leak checks.</p>
<table class="learners">
<colgroup><col class="learner">${report.exercises.map(() => '<col>').join('')}<col class="figure"><col class="figure"></colgroup>
<tr><th>Learner</th>${header}<th class="num">Solved</th><th class="num">Time</th></tr>
${learnerRows}
</table>
${merged}
${warningList}
</body>
</html>
`;
}
