import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml } from '../../src/extension/webviewHtml';
import type { FromWebview, ToWebview } from '../../src/extension/protocol';

const distDir = join(__dirname, '..', '..', '..', 'dist');
const contentTypes: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
};

/**
 * The real webview bundle in headless Chromium, served with the extension's own HTML and CSP
 * from a loopback server, with `acquireVsCodeApi` replaced by a recorder of posted messages.
 */
export class FakeHost {
  private constructor(
    private readonly server: Server,
    private readonly browser: Browser,
    readonly page: Page,
    readonly errors: string[],
  ) {}

  static async open(): Promise<FakeHost> {
    if (!existsSync(join(distDir, 'webview.js')))
      throw new Error(`Build first: ${distDir}/webview.js is missing`);
    const nonce = randomBytes(16).toString('base64');
    let origin = '';
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          renderWebviewHtml({
            cspSource: origin,
            nonce,
            scriptUri: `${origin}/dist/webview.js`,
            styleUri: `${origin}/dist/webview.css`,
            codiconsUri: `${origin}/dist/codicons/codicon.css`,
            title: 'Heap Explorer',
          }),
        );
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end(); // browsers ask for it; VS Code's webviews never do
        return;
      }
      const file = normalize(join(distDir, url.pathname.replace(/^\/dist\//, '')));
      if (!file.startsWith(distDir) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('dialog', (dialog) => {
      errors.push(`unexpected dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    // Init scripts run before the page's own and are not subject to its CSP, like VS Code's preload.
    await page.addInitScript(() => {
      const posted: unknown[] = [];
      let state: unknown;
      Object.assign(window, {
        __posted: posted,
        acquireVsCodeApi: () => ({
          postMessage: (message: unknown) => posted.push(message),
          getState: () => state,
          setState: (next: unknown) => (state = next),
        }),
      });
    });
    await page.goto(`${origin}/`);
    return new FakeHost(server, browser, page, errors);
  }

  /** Delivers a message as the extension host would. */
  async send(message: ToWebview): Promise<void> {
    await this.page.evaluate((m) => window.postMessage(m, '*'), message);
  }

  /** Everything the page posted to the host so far. */
  async posted(): Promise<FromWebview[]> {
    return this.page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted);
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
