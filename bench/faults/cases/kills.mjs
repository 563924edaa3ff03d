// The CLI stopped from outside: SIGKILL (no clean-up of its own possible), Ctrl-C once or twice,
// SIGTERM and SIGHUP, at each stage of a hunt, a check, validate's tests, a setup step, an
// unpack and a progress write. Nothing it started may outlive it, and nothing it kept may be lost.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Folders and partial files a run leaves in `dir` (its TMPDIR or snapshot folder). */
function leftoversIn(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).filter(
    (entry) => /(^|\/)leakhunt-[^/]*$/.test(entry) || entry.endsWith('.part'),
  );
}

export function killCases({ work, repoDir, cli }) {
  const dir = join(work, 'kills');
  mkdirSync(dir, { recursive: true });
  const fixture = join(repoDir, 'test/fixtures/exercises/mini-leak');
  let n = 0;
  const cases = [];

  /** A copy of the fixture exercise, edited by `edit`, and a TMPDIR of its own for leftovers. */
  const exercise = (edit) => {
    const caseDir = join(dir, `case-${++n}`);
    const exDir = join(caseDir, 'mini-leak');
    cpSync(fixture, exDir, { recursive: true });
    const tmp = join(caseDir, 'tmp');
    mkdirSync(tmp);
    if (edit) {
      const manifest = JSON.parse(readFileSync(join(exDir, 'exercise.json'), 'utf8'));
      edit(manifest);
      writeFileSync(join(exDir, 'exercise.json'), JSON.stringify(manifest, null, 2));
    }
    return { caseDir, exDir, tmp };
  };
  const add = (name, args, { tmp, when, signals, afterMs = 0, expect, ...more }) =>
    cases.push({
      name,
      args,
      expect: expect ?? (signals.includes('SIGKILL') ? 'ok' : 'stopped'),
      env: { TMPDIR: tmp },
      interrupt: { when, signals, afterMs },
      leftovers: () => leftoversIn(tmp),
      limitMs: 120_000,
      ...more,
    });

  // SIGKILL at each stage of a hunt, and of a check.
  for (const [stage, when] of [
    ['while starting', /starting/],
    ['in the warm-up', /warming up/],
    ['in a load', /load 2 of/],
    ['in a snapshot', /baseline snapshot/],
    ['while diffing', /diffing/],
  ]) {
    const { exDir, tmp } = exercise();
    add(`SIGKILL of hunt ${stage}`, ['hunt', exDir], {
      tmp,
      when,
      signals: ['SIGKILL'],
      afterMs: 100,
    });
  }
  for (const [stage, when] of [
    ['in the warm-up', /warming up/],
    ['in a load', /load 2 of/],
  ]) {
    const { exDir, tmp } = exercise();
    add(`SIGKILL of check ${stage}`, ['check', exDir], {
      tmp,
      when,
      signals: ['SIGKILL'],
      afterMs: 100,
    });
  }
  {
    const { caseDir, exDir, tmp } = exercise();
    const snapshots = join(caseDir, 'snapshots');
    add('SIGKILL of hunt --snapshots mid-snapshot', ['hunt', exDir, '--snapshots', snapshots], {
      tmp,
      when: /target snapshot/,
      signals: ['SIGKILL'],
      afterMs: 50,
      leftovers: () => [
        ...leftoversIn(tmp),
        ...leftoversIn(snapshots).filter((f) => f.endsWith('.part')),
      ],
      hardA: true,
    });
  }

  // Commands other than services: tests, setup steps, start commands.
  const sleeper = `node -e "setTimeout(() => {}, 120000)"`;
  {
    const { exDir, tmp } = exercise((m) => (m.tests.command = sleeper));
    add("SIGKILL during validate's tests", ['validate', exDir], {
      tmp,
      when: /tests: /,
      signals: ['SIGKILL'],
      afterMs: 500,
      hardA: true,
    });
  }
  {
    const { exDir, tmp } = exercise((m) => (m.setup = { command: sleeper }));
    add("SIGKILL during hunt's setup step", ['hunt', exDir], {
      tmp,
      when: /setup|npm|node -e/,
      signals: ['SIGKILL'],
      afterMs: 500,
      hardA: true,
    });
  }
  {
    const { caseDir, tmp } = exercise();
    const server = join(caseDir, 'server.mjs');
    cpSync(join(fixture, 'app', 'server.mjs'), server);
    add(
      'SIGKILL of hunt with a start command',
      ['hunt', '--request', 'GET /visit/{n}', '--', 'sh', '-c', `exec node ${server}`],
      {
        tmp,
        when: /warming up/,
        signals: ['SIGKILL'],
        afterMs: 100,
      },
    );
  }

  // Asked to stop: one Ctrl-C stops cleanly, a second one at once; SIGTERM and SIGHUP too.
  for (const [stage, when] of [
    ['in the warm-up', /warming up/],
    ['in a snapshot', /baseline snapshot/],
  ]) {
    const { exDir, tmp } = exercise();
    add(`Ctrl-C in hunt ${stage}`, ['hunt', exDir], {
      tmp,
      when,
      signals: ['SIGINT'],
      afterMs: 100,
    });
  }
  {
    const { exDir, tmp } = exercise();
    add('Ctrl-C twice in hunt', ['hunt', exDir], {
      tmp,
      when: /load 1 of/,
      signals: ['SIGINT', 'SIGINT'],
      afterMs: 100,
      limitMs: 30_000,
    });
  }
  // SIGTERM and SIGHUP (a CI timeout, a closed terminal) stop everything and exit 2, naming them.
  for (const signal of ['SIGTERM', 'SIGHUP']) {
    const { exDir, tmp } = exercise();
    add(`${signal} in hunt`, ['hunt', exDir], {
      tmp,
      when: /load 2 of/,
      signals: [signal],
      afterMs: 100,
      expect: 'error',
      message: new RegExp(`terminated by ${signal}`),
    });
  }
  {
    const { exDir, tmp } = exercise((m) => (m.tests.command = sleeper));
    add("Ctrl-C during validate's tests", ['validate', exDir], {
      tmp,
      when: /tests: /,
      signals: ['SIGINT'],
      afterMs: 500,
    });
  }

  // An unpack killed midway leaves the destination absent or whole, never half-written.
  const packFile = join(dir, 'set.zip');
  execFileSync(
    process.execPath,
    [cli, 'pack', join(repoDir, 'test/fixtures/packs/mini-set'), '--graders', '-o', packFile],
    {
      stdio: 'ignore',
    },
  );
  const packedFiles = readdirSync(join(repoDir, 'test/fixtures/packs/mini-set'), {
    recursive: true,
  }).length;
  for (const afterMs of [0, 20, 60, 120, 250]) {
    const caseDir = join(dir, `case-${++n}`);
    mkdirSync(caseDir);
    const dest = join(caseDir, 'dest');
    cases.push({
      name: `SIGKILL of unpack after ${afterMs} ms`,
      args: ['unpack', packFile, dest],
      expect: 'ok',
      interrupt: { signals: ['SIGKILL'], afterMs },
      limitMs: 30_000,
      // The destination appears whole (renamed into place) or not at all.
      check: () => {
        if (!existsSync(dest)) return undefined;
        const entries = readdirSync(dest, { recursive: true }).filter(
          (e) => !e.startsWith('.leakhunt'),
        );
        return entries.length >= packedFiles
          ? undefined
          : `a half-written destination: ${entries.length} entries`;
      },
      leftovers: () => readdirSync(caseDir).filter((e) => e.includes('.unpacking-')),
    });
  }

  // Progress: a hint recorded before a SIGKILL is never lost, and the store works after it.
  const workspace = join(dir, 'workspace');
  execFileSync(process.execPath, [cli, 'open', fixture, workspace], { stdio: 'ignore' });
  execFileSync(process.execPath, [cli, 'hint', workspace], { stdio: 'ignore' });
  for (const afterMs of [0, 30, 60, 90, 120, 150, 200, 300]) {
    const copy = join(dir, `case-${++n}`);
    cpSync(workspace, copy, { recursive: true });
    const progress = join(copy, '.leakhunt', 'progress.json');
    cases.push({
      name: `SIGKILL of hint after ${afterMs} ms`,
      args: ['hint', copy],
      expect: 'ok',
      interrupt: { signals: ['SIGKILL'], afterMs },
      limitMs: 30_000,
      check: () => {
        let hints;
        try {
          hints = Object.values(JSON.parse(readFileSync(progress, 'utf8')).exercises)[0].hints
            .length;
        } catch (error) {
          return `progress unreadable after the kill: ${error.message}`;
        }
        if (hints < 1) return 'the hint recorded before the kill is gone';
        try {
          execFileSync(process.execPath, [cli, 'hint', copy], { stdio: 'ignore', timeout: 15_000 });
        } catch (error) {
          return `the next hint failed after the kill: ${error.message.split('\n')[0]}`;
        }
        return undefined;
      },
      lostIfFails: true,
    });
  }
  return cases.map((c) => ({ group: 'kills', ...c }));
}
