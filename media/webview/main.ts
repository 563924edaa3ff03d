import './main.css';
import type { VsCodeApi } from './hostClient';
import { ExplorerApp } from './app';

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const app = new ExplorerApp(document.getElementById('root') as HTMLElement, api);
window.addEventListener('message', (event: MessageEvent) => app.handle(event.data));
// Page errors go to the extension's log, where a bug report can find them.
window.addEventListener('error', (event) =>
  api.postMessage({
    type: 'log',
    level: 'error',
    message: String(event.error?.stack ?? event.message),
  }),
);
api.postMessage({ type: 'ready' });
