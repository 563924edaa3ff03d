/**
 * Calls `fn` at most once per `ms`, and once more after the last call in a burst, so the final
 * state (a crash, the end of a load) is always shown. `dispose` cancels a pending call.
 */
export function throttle(fn: () => void, ms: number): { (): void; dispose(): void } {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    timer = undefined;
    last = Date.now();
    fn();
  };
  const throttled = (): void => {
    const wait = last + ms - Date.now();
    if (wait <= 0) run();
    else timer ??= setTimeout(run, wait);
  };
  throttled.dispose = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return throttled;
}
