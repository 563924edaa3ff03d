import type {
  FromWebview,
  HostRequestMethod,
  HostRequests,
  ShownError,
  ToWebview,
} from '../../src/extension/protocol';

/** How the page reaches the extension host (`acquireVsCodeApi()` in VS Code). */
export interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** A request failed on the host side; carries the message and next step to show in place. */
export class HostRequestError extends Error {
  constructor(readonly shown: ShownError) {
    super(shown.message);
    this.name = 'HostRequestError';
  }
}

/** The request was dropped because the host re-initialised the page; callers just ignore it. */
export class RequestDroppedError extends Error {
  constructor(method: HostRequestMethod) {
    super(`${method} was dropped: the host sent a new init`);
    this.name = 'RequestDroppedError';
  }
}

interface Pending {
  method: HostRequestMethod;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Response = Extract<ToWebview, { type: 'response' }>;

/**
 * Request/response over `postMessage`: each request carries an id, the host answers with a
 * `response` of the same id holding `ok` or `err`.
 */
export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly api: VsCodeApi) {}

  request<M extends HostRequestMethod>(
    method: M,
    params: HostRequests[M]['params'],
  ): Promise<HostRequests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject });
      // The mapped HostRequest union cannot be narrowed from a generic M; the shape is the same.
      this.api.postMessage({ type: 'request', id, request: { method, params } as never });
    });
  }

  /** Settles the matching pending call; answers to dropped calls are ignored. */
  handleResponse(response: Response): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if ('err' in response) pending.reject(new HostRequestError(response.err));
    else pending.resolve(response.ok);
  }

  /** Drops every pending call (a new `init` means the host forgot them). */
  dropPending(): void {
    for (const pending of this.pending.values())
      pending.reject(new RequestDroppedError(pending.method));
    this.pending.clear();
  }
}
