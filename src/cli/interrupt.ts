/**
 * Ctrl-C for the CLI: the first asks the running command to stop cleanly (its services, loads
 * and snapshots end through `controller`); the second ends the process at once.
 *
 * "At once" is not `process.exit()`: that waits for libuv's thread pool, and a thread blocked
 * in the kernel (an `open()` of a FIFO nobody writes, a read of a hung network file system)
 * never returns, so the process would hang in exit itself. Raising SIGINT again with Node's
 * handler removed ends the process the way an unhandled Ctrl-C does (status 130 in a shell).
 */
export function stopOnInterrupt(
  controller: AbortController,
  say: (text: string) => void,
): () => void {
  const onInterrupt = (): void => {
    if (!controller.signal.aborted) {
      say('\nleakhunt: stopping (Ctrl-C again to force)…\n');
      controller.abort();
      return;
    }
    // Every listener, so that the default action (end the process) is back for the raise.
    process.removeAllListeners('SIGINT');
    process.kill(process.pid, 'SIGINT');
  };
  process.on('SIGINT', onInterrupt);
  return () => process.removeListener('SIGINT', onInterrupt);
}
