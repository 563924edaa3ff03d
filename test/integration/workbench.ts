// What the integration tests ask of the workbench driver (workbenchDriver.mjs, under
// trustOnHost.sh): lines the test logs, which the driver reads from the console.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(what: string, done: () => boolean, ms = 15_000): Promise<void> {
  for (let waited = 0; !done(); waited += 100) {
    assert.ok(waited < ms, `waited ${ms} ms for ${what}`);
    await pause(100);
  }
}

/** Saves a workbench screenshot (the shared shim does this too). */
export function screenshot(label: string): void {
  console.log(`__screenshot__:${label}`);
}

/** One screenshot per theme, Dark Modern then Light Modern, of what is on screen now. */
export async function screenshotInThemes(label: string): Promise<void> {
  const workbench = vscode.workspace.getConfiguration('workbench');
  for (const [theme, name] of [
    ['dark', 'Default Dark Modern'],
    ['light', 'Default Light Modern'],
  ] as const) {
    await workbench.update('colorTheme', name, vscode.ConfigurationTarget.Global);
    await pause(1200);
    screenshot(`${label}-${theme}`);
    await pause(800);
  }
}

/** Clicks, as a learner would, the first element that matches (the driver waits up to 20 s). */
export function click(
  target:
    | { button: string }
    | { treeItem: string }
    | { css: string }
    | { frameCss: string }
    | { key: string },
): void {
  console.log(`__click__:${JSON.stringify(target)}`);
}

let questions = 0;

/** What the page shows: the driver writes its answer to a file this polls. */
export async function ask<T>(question: { text: string } | { notifications: true }): Promise<T> {
  const answer = join(tmpdir(), `leakhunt-driver-${process.pid}-${++questions}.json`);
  console.log(`__query__:${JSON.stringify({ ...question, answer })}`);
  await waitFor(
    `the driver's answer to ${JSON.stringify(question)}`,
    () => existsSync(answer),
    40_000,
  );
  await pause(50);
  try {
    const reply = JSON.parse(readFileSync(answer, 'utf8')) as T & { error?: string };
    assert.equal(reply.error, undefined, `the driver could not answer: ${reply.error}`);
    return reply;
  } finally {
    rmSync(answer, { force: true });
  }
}
