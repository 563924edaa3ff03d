import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { printable, printableLines } from '../../../src/common/text';
import { runCli } from '../../../src/cli/main';
import { PACK_MANIFEST } from '../../../src/exercises';
import { sha256 } from '../../../src/exercises/files';
import { captureIo } from '../../support/cliIo';
import { writeZip } from '../exercises/zipWriter';

// What a crafted file would do to a terminal: retitle the window, clear the screen, reorder text.
const TITLE_AND_CLEAR = '\x1b]0;pwned\x07\x1b[2J';
const C1_CSI = '\u009b2J';
const BIDI = 'evil\u202etxt.js';

/** Any byte a terminal acts on, except the newlines and tabs of Leak Hunt's own layout. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const work = mkdtempSync(join(tmpdir(), 'leakhunt-hostile-'));
after(() => rmSync(work, { recursive: true, force: true }));

/**
 * Three snapshots of one process whose leak hangs off a global with a hostile name; the last
 * also has a hostile class name, written into its string table as a crafted file would have it
 * (JavaScript cannot give a class such a name).
 */
let snapshots: string[];
before(() => {
  const script = join(work, 'hostile.js');
  writeFileSync(
    script,
    `'use strict';
const v8 = require('node:v8');
const path = require('node:path');
class HostileMarker {}
const key = ${JSON.stringify(TITLE_AND_CLEAR + BIDI)};
globalThis[key] = [];
for (let s = 1; s <= 3; s++) {
  for (let i = 0; i < 200; i++) globalThis[key].push(new HostileMarker());
  v8.writeHeapSnapshot(path.join(${JSON.stringify(work)}, s + '.heapsnapshot'));
}
`,
  );
  execFileSync(process.execPath, [script], { stdio: 'ignore', timeout: 60_000 });
  snapshots = [1, 2, 3].map((s) => join(work, `${s}.heapsnapshot`));
  const last = snapshots[2]!;
  const text = readFileSync(last, 'utf8');
  assert.ok(text.includes('"HostileMarker"'));
  writeFileSync(
    last,
    text.replace('"HostileMarker"', JSON.stringify(`Bad${TITLE_AND_CLEAR}${C1_CSI}`)),
  );
});

function assertInert(lines: string[], what: string): void {
  for (const line of lines)
    assert.doesNotMatch(line, RAW_CONTROL, `${what}: ${JSON.stringify(line)}`);
}

test('printable escapes C0, DEL, C1 and bidi controls; printableLines keeps newlines and tabs', () => {
  assert.equal(printable(TITLE_AND_CLEAR), '\\x1b]0;pwned\\x07\\x1b[2J');
  assert.equal(printable(C1_CSI), '\\u009b2J');
  assert.equal(printable(BIDI), 'evil\\u202etxt.js');
  assert.equal(printable('a\x7fb'), 'a\\u007fb');
  assert.equal(printable('one\ntwo'), 'one\\x0atwo');
  assert.equal(printableLines('one\n\ttwo\r\x1b[K'), 'one\n\ttwo\\x0d\\x1b[K');
  // The escapes of the characters JSON.stringify leaves raw are JSON escapes too.
  const json = JSON.stringify({ name: `${C1_CSI}${BIDI}\x7f` });
  assert.deepEqual(JSON.parse(printableLines(json)), JSON.parse(json));
});

test('summary shows hostile class names escaped, in a table that stays aligned', async () => {
  const io = captureIo();
  assert.equal(await runCli(['summary', snapshots[2]!, '--top', '1000'], io), 0);
  assertInert(io.stdout, 'summary');
  const text = io.stdout.join('\n');
  assert.match(text, /Bad\\x1b\]0;pwned\\x07\\x1b\[2J\\u009b2J +600 /);
});

test('diff shows a hostile property name escaped in the suspect path, and --json stays JSON', async () => {
  const io = captureIo();
  assert.equal(await runCli(['diff', ...snapshots], io), 0);
  assertInert(io.stdout, 'diff');
  assert.match(io.stdout.join('\n'), /\\x1b\]0;pwned\\x07\\x1b\[2Jevil\\u202etxt\.js/);
  const json = captureIo();
  assert.equal(await runCli(['diff', ...snapshots, '--json'], json), 0);
  assertInert(json.stdout, 'diff --json');
  const parsed = JSON.parse(json.stdout.join('\n')) as { suspects: { path: string[] }[] };
  assert.ok(parsed.suspects.some((s) => s.path.includes(TITLE_AND_CLEAR + BIDI)));
});

test('unpack names a hostile entry escaped', async () => {
  const name = `set/${TITLE_AND_CLEAR}${BIDI}`;
  const data = Buffer.from('x');
  const manifest = {
    format: 'leakhunt-pack',
    formatVersion: 1,
    set: { name: 'Hostile', version: '1.0.0', author: 'tests' },
    includesSolutions: false,
    files: [{ path: name, sha256: sha256(data), size: 1, role: 'exercise' }],
  };
  const pack = join(work, 'hostile.zip');
  writeFileSync(
    pack,
    writeZip([
      { name: PACK_MANIFEST, data: Buffer.from(JSON.stringify(manifest)) },
      { name, data },
    ]),
  );
  const io = captureIo({ cwd: work });
  assert.equal(await runCli(['unpack', pack, join(work, 'unpacked')], io), 2);
  assertInert(io.stderr, 'unpack');
  assert.match(io.stderr.join('\n'), /\\x1b\]0;pwned\\x07\\x1b\[2Jevil\\u202etxt\.js/);
});

test('a manifest key and a JSON syntax error quoting hostile bytes are shown escaped', async () => {
  const exercise = join(work, 'exercise');
  mkdirSync(exercise, { recursive: true });
  const manifest = JSON.parse(
    readFileSync(
      join(__dirname, '../../../../test/fixtures/exercises/mini-leak/exercise.json'),
      'utf8',
    ),
  ) as Record<string, unknown>;
  manifest[TITLE_AND_CLEAR] = 1;
  writeFileSync(join(exercise, 'exercise.json'), JSON.stringify(manifest));
  const io = captureIo({ cwd: work });
  assert.equal(await runCli(['validate', exercise], io), 2);
  assertInert([...io.stdout, ...io.stderr], 'validate');
  assert.match(io.stderr.join('\n'), /unknown property '\\x1b\]0;pwned\\x07\\x1b\[2J'/);

  writeFileSync(join(exercise, 'exercise.json'), `{"title": "x" ${TITLE_AND_CLEAR}}`);
  const syntax = captureIo({ cwd: work });
  assert.equal(await runCli(['hunt', exercise], syntax), 2);
  assertInert([...syntax.stdout, ...syntax.stderr], 'hunt');
  assert.match(syntax.stderr.join('\n'), /is not JSON/);
});
