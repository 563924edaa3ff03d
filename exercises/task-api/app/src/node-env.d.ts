// Just enough of Node's types for this project to type-check in an editor without installing
// @types/node (the exercise runs offline). tsconfig.json sets "types": [] so that an installed
// @types/node is not loaded next to this file. Only what src/ uses is declared.

interface Buffer {
  readonly length: number;
  toString(encoding?: 'utf8'): string;
  includes(value: string): boolean;
}
declare const Buffer: {
  byteLength(text: string): number;
  concat(chunks: Buffer[]): Buffer;
};

declare class URL {
  constructor(input: string, base?: string);
  pathname: string;
  search: string;
  searchParams: { get(name: string): string | null };
}

declare const process: {
  env: Record<string, string | undefined>;
  pid: number;
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): void;
};

declare const console: { log(...values: unknown[]): void; error(...values: unknown[]): void };
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(timer: unknown): void;
declare function setImmediate(callback: () => void): unknown;

declare module 'node:events' {
  export class EventEmitter {
    on(event: string, listener: (...args: never[]) => void): this;
    off(event: string, listener: (...args: never[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
    listenerCount(event: string): number;
  }
}

declare module 'node:http' {
  export interface IncomingMessage {
    url?: string;
    method?: string;
    headers: Record<string, string | string[] | undefined>;
    on(event: 'data', listener: (chunk: Buffer) => void): this;
    on(event: 'end' | 'close', listener: () => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
  }
  export interface ServerResponse {
    headersSent: boolean;
    writeHead(status: number, headers?: Record<string, string | number>): this;
    end(body?: string): void;
    on(event: 'close' | 'finish', listener: () => void): this;
  }
  export interface Server {
    listen(port: number, host: string, callback?: () => void): this;
    close(callback?: () => void): this;
  }
  export function createServer(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
  ): Server;
}

declare module 'node:crypto' {
  export function randomUUID(): string;
}

declare module 'node:os' {
  export function tmpdir(): string;
}

declare module 'node:path' {
  export function join(...parts: string[]): string;
}

declare module 'node:fs' {
  export function mkdirSync(path: string, options?: { recursive?: boolean }): void;
}

declare module 'node:fs/promises' {
  export interface FileHandle {
    write(data: Buffer): Promise<unknown>;
    close(): Promise<void>;
  }
  export function open(path: string, flags: string): Promise<FileHandle>;
  export function readFile(path: string): Promise<Buffer>;
  export function rm(path: string, options?: { force?: boolean }): Promise<void>;
}
