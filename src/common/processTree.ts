import { readFileSync, readdirSync } from 'node:fs';

/**
 * Pids of every live descendant of `root` (its children, theirs, and so on), read from /proc;
 * empty where there is no /proc. It finds helpers that left the process group (spawned
 * `detached`, or after `setsid`), which a kill of the group misses. Read it before the root
 * ends: its children are then adopted by init and no longer hang off it.
 */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces or parentheses): state, ppid, ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0)
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  return found;
}

/** SIGKILLs each pid; ones already gone are skipped. */
export function killEach(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ESRCH: already gone.
    }
  }
}
