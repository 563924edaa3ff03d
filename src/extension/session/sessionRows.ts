import { formatBytes } from '../../common/format';
import type { ServiceSeries } from '../protocol';

const count = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** `+1,069 B/req`, `−12 B/req`: growth per load request with its sign. */
function perRequest(bytes: number): string {
  const sign = bytes > 0 ? '+' : bytes < 0 ? '\u2212' : '';
  return `${sign}${count.format(Math.abs(bytes))} B/req`;
}

/**
 * What a service's row in the Session view says. The description must fit beside the name at
 * the default sidebar width, so it carries only the growth per request (the figure worth
 * watching) and the used heap; the state is the row's icon, and everything else, with what the
 * live figures mean, is in the tooltip (Markdown).
 */
export function serviceRow(
  name: string,
  series: Pick<ServiceSeries, 'state' | 'samples' | 'bytesPerRequest'> | undefined,
): { description: string; tooltip: string } {
  const state = series?.state ?? 'stopped';
  const latest = series?.samples.at(-1);
  const slope = series?.bytesPerRequest;
  const parts: string[] = [];
  if (state !== 'running') parts.push(state);
  if (slope !== undefined) parts.push(perRequest(slope));
  if (latest) parts.push(formatBytes(latest.usedHeap));
  const tooltip = [`**${name}** · ${state}`];
  if (latest)
    tooltip.push(
      `Used heap ${formatBytes(latest.usedHeap)} · RSS ${formatBytes(latest.rss)} (live, before GC)`,
    );
  tooltip.push(
    slope === undefined
      ? 'Growth per request: measured once load has run for a while.'
      : `Growth per request: ${perRequest(slope).replace('B/req', 'bytes')} (live, before GC: it includes garbage not yet collected; the leak check measures after GC).`,
  );
  return { description: parts.join(' · '), tooltip: tooltip.join('\n\n') };
}
