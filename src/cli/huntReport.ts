import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatBytes } from '../common/format';
import { printable, routeText } from '../common/text';
import type { AllocationFrame, SourceLocation } from '../heap/results';
import type { HuntReport, HuntSuspect } from '../hunt/types';

/** The opening line of a hunt or check: the verdict and the figures it rests on. */
export function verdictLines(report: HuntReport): string[] {
  const threshold = `threshold ${formatBytes(report.thresholdBytesPerRequest)}`;
  const service = printable(report.service);
  const surviving = report.evidence.survivingBytesPerRequest ?? report.bytesPerRequest;
  const head =
    report.verdict === 'leak'
      ? `Leak: '${service}' keeps ${formatBytes(surviving)} per request (${threshold}).`
      : report.verdict === 'no-leak'
        ? `No leak: '${service}' keeps ${formatBytes(surviving)} per request (${threshold}).`
        : `Inconclusive: '${service}' keeps ${formatBytes(surviving)} per request (${threshold}).`;
  const lines = [head, `  Why: ${report.reason}`];
  if (report.advice) lines.push(`  ${report.advice.text}`);
  const growth = report.evidence.services;
  if (growth && growth.length > 1)
    lines.push(
      `Heap growth per request over the first load: ${growth
        .map((g) => `${printable(g.service)} ${formatBytes(g.bytesPerRequest)}`)
        .join(', ')}.`,
    );
  return lines;
}

/**
 * The rungs as a small table: requests sent and heap in use after GC, with the ArrayBuffer
 * memory beside it when the service holds any (a Buffer leak shows there, not in the heap).
 */
export function ladderLines(report: HuntReport): string[] {
  const buffers = report.ladder.some((rung) => rung.arrayBuffers);
  const cell = (bytes: number | undefined): string => formatBytes(bytes ?? 0).padStart(9);
  return [
    `  requests  used heap after GC${buffers ? '  buffers' : ''}`,
    ...report.ladder.map(
      (rung) =>
        `  ${String(rung.requests).padStart(8)}  ${cell(rung.usedHeap)}` +
        (buffers ? `${' '.repeat(9)}${cell(rung.arrayBuffers)}` : ''),
    ),
  ];
}

/** Each suspect: what, where it is held (up to three routes), the line and its allocation stack. */
export function suspectLines(report: HuntReport, cwd: string): string[] {
  if (report.suspects.length === 0) return [];
  const share = report.evidence.explainedShare;
  const lines = [
    '',
    `Top suspects (allocated during one load, still alive after the next${
      share !== undefined ? `; they hold ${Math.round(share * 100)}% of what survived` : ''
    }):`,
  ];
  report.suspects.forEach((s, i) => lines.push(...describeSuspect(s, i + 1, cwd)));
  return lines;
}

function describeSuspect(s: HuntSuspect, rank: number, cwd: string): string[] {
  const held =
    s.container && s.owner
      ? `, held by ${printable(s.container)} '${printable(s.owner)}'`
      : s.owner
        ? `, held by '${printable(s.owner)}'`
        : '';
  const lines = [
    `  ${rank}. ${s.count} × ${printable(s.name)}, retaining ${formatBytes(s.retainedSize)}${held}`,
  ];
  const routes = s.routes && s.routes.length > 0 ? s.routes : [s.path];
  routes.forEach((route, i) => lines.push(`     ${i === 0 ? '' : 'also: '}${routeText(route)}`));
  if (s.location) lines.push(`     at ${where(s.location, cwd)}`);
  const site = s.allocation;
  if (site && site.stack.length > 0) {
    const shown = site.stack.slice(0, Math.max(3, (site.userFrame ?? 0) + 2));
    lines.push(
      `     allocated in ${shown.map((f) => frame(f, cwd)).join(' ← ')}${
        site.stack.length > shown.length ? ' ← …' : ''
      }`,
    );
  }
  return lines;
}

function frame(f: AllocationFrame, cwd: string): string {
  return `${printable(f.functionName || '(anonymous)')} (${where(f, cwd)})`;
}

/** `file:line:column`, relative to `cwd` when the file is below it. */
export function where(location: SourceLocation, cwd: string): string {
  let file = location.file;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  if (isAbsolute(file)) {
    const rel = relative(cwd, file);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) file = rel;
  }
  return `${printable(file)}:${location.line}:${location.column}`;
}

/** The report with every source location passed through `locate` (set-up copy → exercise). */
export async function relocateReport(
  report: HuntReport,
  locate: (location: SourceLocation) => Promise<SourceLocation>,
): Promise<HuntReport> {
  const suspects = await Promise.all(
    report.suspects.map(async (s) => {
      const moved: HuntSuspect = { ...s };
      if (s.location) moved.location = await locate(s.location);
      if (s.allocation) {
        moved.allocation = {
          ...s.allocation,
          stack: await Promise.all(
            s.allocation.stack.map(async (f) => ({ ...f, ...(await locate(f)) })),
          ),
          ...(s.allocation.line ? { line: await locate(s.allocation.line) } : {}),
        };
      }
      return moved;
    }),
  );
  return { ...report, suspects };
}
