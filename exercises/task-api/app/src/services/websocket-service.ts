import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Task } from '../types';

// Real-time updates for browsers. Production uses WebSockets; this copy uses the same
// connection registry with long polling (GET /live), so it needs nothing but node:http.

interface LiveConnection {
  clientId: string;
  response: ServerResponse;
  request: IncomingMessage;
  pending: Task[];
  openedAt: number;
  open: boolean;
}

/** Keeps the live connections and pushes task updates to them. */
export class WebSocketService {
  private readonly connections = new Map<string, LiveConnection>();
  private sequence = 0;

  /**
   * Opens a live connection for `clientId`: the response is held until an update arrives or
   * `timeoutMs` passes, then answered with the updates (possibly none).
   */
  connect(
    clientId: string,
    request: IncomingMessage,
    response: ServerResponse,
    timeoutMs: number,
  ): void {
    const connection: LiveConnection = {
      clientId,
      request,
      response,
      pending: [],
      openedAt: Date.now(),
      open: true,
    };
    this.connections.set(`${clientId}#${++this.sequence}`, connection);
    const timer = setTimeout(() => this.flush(connection), timeoutMs);
    response.on('close', () => {
      clearTimeout(timer);
      connection.open = false;
    });
  }

  /** Sends a saved task to every open connection. */
  broadcast(task: Task): void {
    for (const connection of this.connections.values()) {
      if (!connection.open) continue;
      connection.pending.push(task);
      this.flush(connection);
    }
  }

  private flush(connection: LiveConnection): void {
    if (!connection.open || connection.response.headersSent) return;
    const body = JSON.stringify({ updates: connection.pending });
    connection.response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    connection.response.end(body);
  }

  /** Open connections (for /stats). */
  openCount(): number {
    let open = 0;
    for (const connection of this.connections.values()) if (connection.open) open++;
    return open;
  }
}
