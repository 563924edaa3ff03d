import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/common/packageRoot';

/** Folder of the tiny test services (plain ES modules, run by node as they are). */
export const servicesDir = join(packageRoot(), 'test', 'fixtures', 'services');
export const miniLeakDir = join(packageRoot(), 'test', 'fixtures', 'exercises', 'mini-leak');

/** Pids of the live processes whose process group is `pgid` (read from /proc, Linux only). */
export function processesInGroup(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = fields[0];
      const pgrp = Number(fields[2]);
      if (pgrp === pgid && state !== 'Z') found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Waits until `predicate` holds, polling; fails after `ms` (a bound, not a timing assertion). */
export async function eventually(predicate: () => boolean, ms = 10000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((done) => setTimeout(done, 20));
  }
}

/**
 * Pids of a process's direct children (services lead their own groups, so look by parent),
 * without Leak Hunt's watchdog (see `watchdogPids`).
 */
export function childPids(parent = process.pid): number[] {
  return children(parent).filter((pid) => !isWatchdog(pid));
}

/** The watchdog among a process's children (one while it guards anything, else none). */
export function watchdogPids(parent = process.pid): number[] {
  return children(parent).filter(isWatchdog);
}

function children(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Whether `pid` is Leak Hunt's watchdog (src/common/watchdog.ts): a child of the CLI that
 * outlives its services by design, until the CLI releases them or ends.
 */
function isWatchdog(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes("Leak Hunt's watchdog");
  } catch {
    return false;
  }
}
