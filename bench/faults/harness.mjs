// Runs one fault case against the built CLI and classifies what happened. A case is plain data
// (see README.md): the arguments, what is expected (an error, success, a verdict, a stop), an
// optional interruption, and what must hold afterwards (files kept, files never written).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Exit codes each expectation accepts. */
const EXPECTED_CODES = {
  error: [2],
  ok: [0],
  // `check`: 0 no leak, 1 leak, 3 inconclusive; `hunt` prints any verdict with 0.
  verdict: [0, 1, 3],
  // Stopped by Ctrl-C or SIGTERM on purpose: 130 after a clean stop, or the signal itself.
  stopped: [130, 143, 129],
};

/** Raw bytes a terminal would act on; Leak Hunt's own layout uses only newlines and tabs. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * The CLI fell over instead of saying what is wrong: a stack through its own code, or Node's
 * report of an uncaught error. (A service's own stack, quoted in a clear error, is fine.)
 */
function crashed(stderr, cli) {
  const ownFrame = new RegExp(`${cli.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+`);
  return (
    ownFrame.test(stderr) ||
    /UnhandledPromiseRejection|triggerUncaughtException|node:internal\/process\/promises/.test(
      stderr,
    )
  );
}

/** sha256 of a file, or of a folder's listing and contents (to notice any change). */
export function fingerprint(path) {
  if (!existsSync(path)) return 'absent';
  const hash = createHash('sha256');
  const walk = (p) => {
    const stats = statSync(p);
    if (stats.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        hash.update(`dir ${name}\n`);
        walk(join(p, name));
      }
    } else if (stats.isFile()) hash.update(readFileSync(p));
    else hash.update(`special ${stats.mode}\n`);
  };
  walk(path);
  return hash.digest('hex');
}

/** Process ids whose environment carries `marker` (the case's processes, however detached). */
function processesMarked(marker) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!environ.includes(marker)) continue;
      // A zombie has exited; only its parent's wait is missing.
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
      if (state === 'Z') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ');
      found.push({ pid: Number(name), cmdline: cmdline.trim() });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `testCase` with `cli` (dist/cli.js) and resolves to its outcome: `clear`, `ok`, `hang` or
 * `crash`, plus the flags `orphans`, `lost`, `rawBytes`, `leftovers` and a one-line `detail`.
 */
export async function runCase(testCase, { cli, runId, index }) {
  const marker = `LEAKHUNT_FAULT_CASE=${runId}.${index}.`;
  const before = new Map((testCase.preserve ?? []).map((p) => [p, fingerprint(p)]));
  const held = testCase.before?.();
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...testCase.args], {
    cwd: testCase.cwd,
    // Its own process group, so a hung CLI is stopped whole; services start their own groups,
    // which the marker finds.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...testCase.env, LEAKHUNT_FAULT_CASE: `${runId}.${index}.` },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk) => (stderr += chunk.toString('utf8')));
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  let interruptedAt;
  const interrupt = testCase.interrupt;
  if (interrupt) {
    void (async () => {
      const deadline = performance.now() + testCase.limitMs;
      // Waits for the moment: a line on stderr, or a delay.
      while (performance.now() < deadline && child.exitCode === null) {
        if (interrupt.when instanceof RegExp ? interrupt.when.test(stderr) : true) break;
        await sleep(50);
      }
      await sleep(interrupt.afterMs ?? 0);
      if (child.exitCode !== null) return;
      interruptedAt = performance.now() - started;
      for (const [i, signal] of interrupt.signals.entries()) {
        if (i > 0) await sleep(interrupt.gapMs ?? 300);
        try {
          process.kill(child.pid, signal);
        } catch {
          // Already gone.
        }
      }
    })();
  }

  const limit = sleep(testCase.limitMs).then(() => 'hang');
  let result = await Promise.race([exited, limit]);
  const hung = result === 'hang';
  if (hung) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    result = await exited;
  }
  const ms = performance.now() - started;
  testCase.after?.(held);

  // What the case started must end with it: the watchers get a few seconds after a SIGKILL.
  let orphans = processesMarked(marker);
  for (let waited = 0; orphans.length && waited < (testCase.orphanGraceMs ?? 5000); waited += 250) {
    await sleep(250);
    orphans = processesMarked(marker);
  }
  for (const { pid } of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }

  const lost = [
    ...[...before].filter(([p, print]) => fingerprint(p) !== print).map(([p]) => `changed ${p}`),
    ...(testCase.mustNotExist ?? []).filter((p) => existsSync(p)).map((p) => `wrote ${p}`),
  ];
  // A watchdog removes what a killed CLI could not; it gets the same few seconds.
  let leftovers = testCase.leftovers ? testCase.leftovers() : [];
  for (
    let waited = 0;
    leftovers.length && waited < (testCase.orphanGraceMs ?? 5000);
    waited += 250
  ) {
    await sleep(250);
    leftovers = testCase.leftovers();
  }
  const rawBytes = RAW_CONTROL.test(stdout) || RAW_CONTROL.test(stderr);

  const { code, signal } = result;
  const accepted = EXPECTED_CODES[testCase.expect];
  const killedOnPurpose = interrupt?.signals.includes('SIGKILL') && signal === 'SIGKILL';
  const stoppedBySignal = testCase.expect === 'stopped' && signal !== null;
  const lastLine = stderr.trim().split('\n').at(-1) ?? '';
  let outcome;
  let detail = '';
  if (hung) {
    outcome = 'hang';
    detail = `no exit within ${testCase.limitMs} ms; stderr ends: ${lastLine.slice(0, 160)}`;
  } else if (killedOnPurpose || stoppedBySignal) {
    outcome = 'ok';
  } else if (signal) {
    outcome = 'crash';
    detail = `ended by ${signal}`;
  } else if (!accepted.includes(code)) {
    outcome = 'crash';
    detail = `exit ${code}, expected ${accepted.join('/')}: ${lastLine.slice(0, 160)}`;
  } else if (crashed(stderr, cli)) {
    outcome = 'crash';
    detail = `a stack trace or uncaught error: ${lastLine.slice(0, 160)}`;
  } else if (testCase.expect === 'error') {
    // One line says what is wrong; a service's own output may follow it (its stderr tail).
    const clear = /^leakhunt( \w+)?: \S/m.test(stderr);
    const says = !testCase.message || testCase.message.test(stderr);
    outcome = clear && says ? 'clear' : 'crash';
    if (outcome === 'crash')
      detail = clear
        ? `the error does not say ${testCase.message}: ${lastLine.slice(0, 160)}`
        : `no "leakhunt <command>: …" line: ${lastLine.slice(0, 160)}`;
  } else {
    outcome = 'ok';
  }
  if (testCase.check && (outcome === 'ok' || outcome === 'clear')) {
    const problem = testCase.check({ code, stdout, stderr });
    if (problem && testCase.lostIfFails) lost.push(problem);
    else if (problem) {
      outcome = 'crash';
      detail = problem;
    }
  }
  const notes = [
    detail,
    orphans.length
      ? `orphans: ${orphans.map((o) => `${o.pid} ${o.cmdline.slice(0, 80)}`).join('; ')}`
      : '',
    lost.length ? `data lost: ${lost.join('; ')}` : '',
    rawBytes ? 'raw control bytes on the terminal' : '',
    leftovers.length ? `left behind: ${leftovers.join('; ')}` : '',
  ].filter(Boolean);
  return {
    group: testCase.group,
    name: testCase.name,
    outcome,
    orphans: orphans.length,
    lost: lost.length > 0,
    rawBytes,
    leftovers: leftovers.length > 0,
    ms: Math.round(ms),
    interruptedAt: interruptedAt === undefined ? undefined : Math.round(interruptedAt),
    detail: notes.join(' | '),
    hardA: testCase.hardA === true,
  };
}
