/** Number and time formatting shared by the views, in the page's locale. */

const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

// Bytes look the same in the page as in the terminal: one formatter for both.
export { formatBytes } from '../../src/common/format';

/** A count with thousands separators. */
export function formatCount(value: number): string {
  return whole.format(value);
}

/** A signed delta with an explicit + or − (a real minus sign, not a hyphen). */
export function formatSigned(value: number, format: (magnitude: number) => string): string {
  if (value === 0) return format(0);
  return `${value > 0 ? '+' : '\u2212'}${format(Math.abs(value))}`;
}

/** Megabytes with one decimal, for chart axes and the live legend. */
export function formatMegabytes(bytes: number): string {
  return `${oneDecimal.format(bytes / (1024 * 1024))} MB`;
}

/** Wall-clock time of day of an epoch-millisecond timestamp. */
export function formatTime(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
