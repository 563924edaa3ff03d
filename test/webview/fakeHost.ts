import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderWebviewHtml } from '../../src/extension/webviewHtml';
import type {
  FromWebview,
  HostRequestMethod,
  HostRequests,
  ShownError,
  ToWebview,
} from '../../src/extension/protocol';

const repoRoot = join(__dirname, '..', '..', '..');
// WEBVIEW_DIST points at a private copy of the bundles, for runs while others rebuild dist/.
const distDir = process.env.WEBVIEW_DIST
  ? resolve(process.env.WEBVIEW_DIST)
  : join(repoRoot, 'dist');
// What esbuild.mjs copies to dist/codicons, served from the package so a half-finished build of
// other bundles (which stops before the copy) cannot break the page's icons.
const codiconsDir = join(repoRoot, 'node_modules', '@vscode', 'codicons', 'dist');
/**
 * VS Code's colour themes as a webview sees them: `--vscode-*` variables (kept as CSS files of
 * the values real VS Code injects) and body classes.
 */
export const themes = {
  dark: {
    file: join(repoRoot, 'test', 'fixtures', 'webview', 'theme-dark.css'),
    kind: 'vscode-dark',
    bodyClasses: ['vscode-dark'],
  },
  light: {
    file: join(repoRoot, 'test', 'webview', 'themes', 'light.css'),
    kind: 'vscode-light',
    bodyClasses: ['vscode-light'],
  },
  highContrast: {
    file: join(repoRoot, 'test', 'webview', 'themes', 'hc-dark.css'),
    kind: 'vscode-high-contrast',
    bodyClasses: ['vscode-high-contrast'],
  },
  // VS Code adds `vscode-high-contrast` too, so high-contrast rules cover both kinds.
  highContrastLight: {
    file: join(repoRoot, 'test', 'webview', 'themes', 'hc-light.css'),
    kind: 'vscode-high-contrast-light',
    bodyClasses: ['vscode-high-contrast-light', 'vscode-high-contrast'],
  },
} as const;
export type ThemeName = keyof typeof themes;

/** A theme file's `--vscode-*` declarations, as one `style` attribute value. */
function themeStyle(file: string): string {
  const declarations = readFileSync(file, 'utf8').match(/--vscode-[\w-]+\s*:[^;]+;/g);
  if (!declarations) throw new Error(`${file} declares no --vscode-* variables`);
  return declarations.join(' ');
}

/**
 * Puts a theme into the page's HTML the way VS Code does before it loads a webview: variables
 * in `<html style>`, classes on `<body>`. Both come before the page's CSP and scripts, so the
 * page can read the theme from its first line of script.
 */
function withTheme(html: string, theme: (typeof themes)[ThemeName]): string {
  const attribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const themed = html
    .replace('<html lang="en">', `<html lang="en" style="${attribute(themeStyle(theme.file))}">`)
    .replace(
      '<body>',
      `<body class="${theme.bodyClasses.join(' ')}" data-vscode-theme-kind="${theme.kind}">`,
    );
  if (!themed.includes('data-vscode-theme-kind') || !themed.includes('--vscode-'))
    throw new Error('the page has no <html lang="en"> or <body> to put the theme on');
  return themed;
}
const contentTypes: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
};

/** Answers one kind of request; throw a {@link RespondWithError} to answer with `err`. */
export type Responder<M extends HostRequestMethod> = (
  params: HostRequests[M]['params'],
) => HostRequests[M]['result'] | Promise<HostRequests[M]['result']>;

/** Thrown by a responder to make the fake host answer `{ err }`, as the real one does on failure. */
export class RespondWithError extends Error {
  constructor(readonly shown: ShownError) {
    super(shown.message);
  }
}

type PostedRequest = Extract<FromWebview, { type: 'request' }>;

/**
 * The real webview bundle in headless Chromium, served with the extension's own HTML and CSP
 * from a loopback server. `acquireVsCodeApi` is replaced by a fake whose `postMessage` reaches
 * Node through a Playwright binding, so tests can answer requests like the extension host does;
 * its state lives in sessionStorage, so it survives a reload as VS Code's survives hide/show.
 */
export class FakeHost {
  /** Everything the page posted, in order. */
  private readonly messages: FromWebview[] = [];
  private readonly responders = new Map<HostRequestMethod, Responder<HostRequestMethod>>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly browser: Browser,
    readonly page: Page,
    /** Page errors, console errors, unexpected dialogs and unanswered requests. */
    readonly errors: string[],
  ) {}

  static async open(options: { theme?: ThemeName } = {}): Promise<FakeHost> {
    const theme = themes[options.theme ?? 'dark'];
    if (!existsSync(join(distDir, 'webview.js')))
      throw new Error(`Build first: ${distDir}/webview.js is missing`);
    const nonce = randomBytes(16).toString('base64');
    let origin = '';
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', origin);
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          withTheme(
            renderWebviewHtml({
              cspSource: origin,
              nonce,
              scriptUri: `${origin}/dist/webview.js`,
              styleUri: `${origin}/dist/webview.css`,
              codiconsUri: `${origin}/dist/codicons/codicon.css`,
              title: 'Heap Explorer',
            }),
            theme,
          ),
        );
        return;
      }
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204).end(); // browsers ask for it; VS Code's webviews never do
        return;
      }
      const file = url.pathname.startsWith('/dist/codicons/')
        ? normalize(join(codiconsDir, url.pathname.slice('/dist/codicons/'.length)))
        : normalize(join(distDir, url.pathname.replace(/^\/dist\//, '')));
      const allowed = file.startsWith(distDir) || file.startsWith(codiconsDir);
      if (!allowed || !existsSync(file)) {
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
    const host = new FakeHost(server, browser, page, errors);
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // Failed loads are recorded with their URL below.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
        errors.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    page.on('dialog', (dialog) => {
      errors.push(`unexpected dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.exposeBinding('__leakHuntPost', (_source, message: FromWebview) =>
      host.receive(message),
    );
    // Init scripts run before the page's own and are not subject to its CSP, like VS Code's
    // preload: they provide the API.
    await page.addInitScript(() => {
      const key = 'leakHunt.webviewState';
      const binding = window as unknown as { __leakHuntPost(message: unknown): void };
      Object.assign(window, {
        acquireVsCodeApi: () => ({
          postMessage: (message: unknown) => binding.__leakHuntPost(message),
          getState: () => {
            const saved = sessionStorage.getItem(key);
            return saved === null ? undefined : JSON.parse(saved);
          },
          setState: (next: unknown) => sessionStorage.setItem(key, JSON.stringify(next)),
        }),
      });
    });
    await page.goto(`${origin}/`);
    return host;
  }

  /** Answers every later request of `method` with `responder` (replacing an earlier one). */
  respond<M extends HostRequestMethod>(method: M, responder: Responder<M>): void {
    this.responders.set(method, responder as unknown as Responder<HostRequestMethod>);
  }

  /**
   * Delivers a message as the extension host would, and resolves once the page has handled it:
   * `message` events are dispatched later, and listeners run in order, so one added now runs
   * right after the page's own.
   */
  async send(message: ToWebview): Promise<void> {
    await this.page.evaluate(
      (m) =>
        new Promise<void>((resolve) => {
          const sent = JSON.stringify(m);
          const handled = (event: MessageEvent): void => {
            if (JSON.stringify(event.data) !== sent) return;
            window.removeEventListener('message', handled);
            resolve();
          };
          window.addEventListener('message', handled);
          window.postMessage(m, '*');
        }),
      message,
    );
  }

  /** Everything the page posted to the host so far. */
  posted(): FromWebview[] {
    return [...this.messages];
  }

  /** Parameters of every request of `method` the page made so far, oldest first. */
  requests<M extends HostRequestMethod>(method: M): HostRequests[M]['params'][] {
    return this.messages
      .filter((m): m is PostedRequest => m.type === 'request' && m.request.method === method)
      .map((m) => m.request.params as HostRequests[M]['params']);
  }

  /** Resolves with the first posted message (past or future) that matches. */
  async waitForPosted<T extends FromWebview>(
    matches: (message: FromWebview) => message is T,
    what: string,
    timeoutMs?: number,
  ): Promise<T>;
  async waitForPosted(
    matches: (message: FromWebview) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<FromWebview>;
  async waitForPosted(
    matches: (message: FromWebview) => boolean,
    what: string,
    timeoutMs = 5000,
  ): Promise<FromWebview> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(matches);
        if (!found) return false;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for the page to post ${what}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Forgets posted messages, so a test can wait for new ones. */
  clearPosted(): void {
    this.messages.length = 0;
  }

  /** Reloads the page, like VS Code does when a hidden panel is shown again. */
  async reload(): Promise<void> {
    this.clearPosted();
    await this.page.reload();
  }

  /** Full-page screenshot into $WEBVIEW_SHOTS (when set), named `<name>.png`. */
  async screenshot(name: string): Promise<void> {
    const folder = process.env.WEBVIEW_SHOTS;
    if (!folder) return;
    mkdirSync(folder, { recursive: true });
    await this.page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(message: FromWebview): void {
    this.messages.push(message);
    for (const waiter of [...this.waiters]) waiter();
    if (message.type === 'request') void this.answer(message);
  }

  private async answer(message: PostedRequest): Promise<void> {
    const { id, request } = message;
    const responder = this.responders.get(request.method);
    let reply: ToWebview;
    if (!responder) {
      this.errors.push(`no responder for ${request.method}`);
      reply = { type: 'response', id, err: { message: `No responder for ${request.method}` } };
    } else {
      try {
        reply = { type: 'response', id, ok: await responder(request.params) };
      } catch (error) {
        if (!(error instanceof RespondWithError)) this.errors.push(String(error));
        const shown = error instanceof RespondWithError ? error.shown : { message: String(error) };
        reply = { type: 'response', id, err: shown };
      }
    }
    await this.send(reply).catch((error: Error) => {
      // The page may be reloading or closed; the request was dropped with it.
      if (!/closed|destroyed|navigat/i.test(error.message)) this.errors.push(error.message);
    });
  }
}
