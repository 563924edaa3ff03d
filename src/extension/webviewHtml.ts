import { escapeMarkup } from '../common/text';

/** What the page needs from its host: where its files are served from and a fresh nonce. */
export interface WebviewPageOptions {
  /** `webview.cspSource` in VS Code; the test host's origin in webview tests. */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
  codiconsUri: string;
  title: string;
}

/**
 * The Heap Explorer page. Kept free of `vscode` so the webview tests load exactly this HTML,
 * CSP included: nothing remote, scripts only by nonce, styles, fonts and images only from the
 * extension's own files.
 */
export function renderWebviewHtml(options: WebviewPageOptions): string {
  const { cspSource, nonce } = options;
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeMarkup(options.codiconsUri)}">
  <link rel="stylesheet" href="${escapeMarkup(options.styleUri)}">
  <title>${escapeMarkup(options.title)}</title>
</head>
<body>
  <main id="root" aria-live="polite"></main>
  <script nonce="${nonce}" src="${escapeMarkup(options.scriptUri)}"></script>
</body>
</html>`;
}
