import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheService } from './services/cache-service';
import { FileService } from './services/file-service';
import { NotificationService } from './services/notification-service';
import { matches, TaskStore } from './services/task-store';
import { WebSocketService } from './services/websocket-service';
import type { Task } from './types';

export interface AppOptions {
  /** Where uploads are scanned; default a folder under the OS temp dir. */
  tempDir?: string;
}

export interface App {
  server: Server;
  files: FileService;
  /** Closes open files; call after the server has closed. */
  shutdown(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString('utf8');
  const value: unknown = JSON.parse(text || '{}');
  if (typeof value !== 'object' || value === null) throw new SyntaxError('expected a JSON object');
  return value as Record<string, unknown>;
}

/** Builds the task API: HTTP routes over the store, cache, notifications, live updates and uploads. */
export function createApp(options: AppOptions = {}): App {
  const notifications = new NotificationService();
  const store = new TaskStore(notifications);
  const searchCache = new CacheService<Task[]>();
  const live = new WebSocketService();
  const files = new FileService(options.tempDir ?? join(tmpdir(), `task-api-${process.pid}`));
  notifications.onTaskSaved((task) => live.broadcast(task));

  /** Drops the cached searches a change to `task` makes stale: those listing it, those it now matches. */
  function forgetSearchesOf(task: Task): void {
    searchCache.forget(
      (key, found) =>
        found.some((t) => t.id === task.id) ||
        matches(task, new URL(key, 'http://task-api.local').searchParams.get('q') ?? ''),
    );
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://task-api.local');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/health')
      return sendJson(res, 200, { app: 'OK' });
    if (req.method === 'GET' && url.pathname === '/stats')
      return sendJson(res, 200, {
        cachedSearches: searchCache.size,
        cacheHits: searchCache.hits,
        listeners: notifications.listenerCount(),
        liveConnections: live.openCount(),
        openFiles: files.openCount(),
      });
    if (req.method === 'GET' && url.pathname === '/tasks') return sendJson(res, 200, store.list());
    if (req.method === 'GET' && url.pathname === '/tasks/search') {
      let found = searchCache.get(req.url ?? '');
      if (!found) {
        found = store.search(url.searchParams.get('q') ?? '');
        searchCache.set(req.url ?? '', found);
      }
      return sendJson(res, 200, found);
    }
    if (req.method === 'POST' && url.pathname === '/tasks') {
      const body = await readJson(req);
      if (typeof body.title !== 'string' || !body.title)
        return sendJson(res, 400, { error: 'title is required' });
      const task = store.create({
        title: body.title,
        owner: typeof body.owner === 'string' ? body.owner : 'anonymous',
      });
      searchCache.clear();
      return sendJson(res, 201, task);
    }
    if (parts[0] === 'tasks' && parts.length === 2) {
      const id = parts[1]!;
      if (req.method === 'GET') {
        const task = store.get(id);
        return task ? sendJson(res, 200, task) : sendJson(res, 404, { error: 'no such task' });
      }
      if (req.method === 'PATCH') {
        const body = await readJson(req);
        let task: Task | undefined;
        try {
          task = store.update(id, body as Partial<Task>);
        } catch (error) {
          return sendJson(res, 400, { error: (error as Error).message });
        }
        if (!task) return sendJson(res, 404, { error: 'no such task' });
        // The store announces the save on a later turn of the event loop, so waiting starts in time.
        const saved = notifications.waitForSave(id);
        forgetSearchesOf(task);
        return sendJson(res, 200, await saved);
      }
    }
    if (req.method === 'GET' && url.pathname === '/live') {
      const clientId = url.searchParams.get('client') ?? 'anonymous';
      const timeoutMs = Math.min(Number(url.searchParams.get('timeoutMs') ?? 20000) || 0, 60000);
      return live.connect(clientId, req, res, timeoutMs);
    }
    if (req.method === 'POST' && url.pathname === '/attachments/scan') {
      const result = await files.scan(await readBody(req));
      return sendJson(res, result.clean ? 200 : 422, result);
    }
    sendJson(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: Error) => {
      if (!res.headersSent)
        sendJson(res, error instanceof SyntaxError ? 400 : 500, { error: error.message });
    });
  });
  return { server, files, shutdown: () => files.closeAll() };
}
