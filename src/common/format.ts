const units = ['B', 'KB', 'MB', 'GB', 'TB'];

/**
 * `1.5 MB`, `820.3 KB`, `96 B`, `−2 KB`: the one byte format of every view, terminal and report
 * (base 1024, like DevTools' memory panel; at most one decimal; a real minus sign). The same
 * digits in every locale, so a figure in a log, a report or the README reads alike everywhere.
 * Shared by Node code and the webview, so it uses no Node API.
 */
export function formatBytes(bytes: number): string {
  let scaled = Math.abs(bytes);
  let unit = 0;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit++;
  }
  const digits = unit === 0 ? Math.round(scaled) : Math.round(scaled * 10) / 10;
  return `${bytes < 0 ? '\u2212' : ''}${digits} ${units[unit]}`;
}
