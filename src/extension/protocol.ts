/**
 * The one message protocol between the extension host and the Heap Explorer webview. Both sides
 * import these types; `switch` statements over them end in an exhaustiveness check.
 */

export interface SummaryRow {
  name: string;
  count: number;
  selfSize: number;
  retainedSize: number;
}

/** Messages the extension sends to the webview. */
export type ToWebview =
  | { type: 'summary'; title: string; rows: SummaryRow[] }
  | { type: 'error'; message: string; nextStep?: string };

/** Messages the webview sends to the extension. */
export type FromWebview =
  { type: 'ready' } | { type: 'log'; level: 'info' | 'error'; message: string };

export function assertNever(value: never): never {
  throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
