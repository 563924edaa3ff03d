// Integration tests run the real extension inside a real VS Code. On a machine with internet the
// test tools download VS Code; where they cannot (CI here), VSCODE_EXE names an executable that
// behaves like one (../shared/vscode-host/code-shim.sh: code-server driven by headless Chromium).
// Launches, each with a fresh window: activation in an empty one, the learner play-through in an
// empty folder it turns into an exercise and, with the code-server host only, Restricted Mode in
// an untrusted folder and the packaged .vsix installed as a user installs it. Test-electron always
// disables workspace trust, so with the code-server host the learner, untrusted and packaged
// launches go through trustOnHost.sh, which starts the host with trust on, as VS Code comes.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const installation = process.env.VSCODE_EXE
  ? { useInstallation: { fromPath: process.env.VSCODE_EXE } }
  : { version: '1.96.0' };
const trustOn = process.env.VSCODE_EXE
  ? {
      useInstallation: {
        fromPath: fileURLToPath(new URL('test/integration/trustOnHost.sh', import.meta.url)),
      },
    }
  : {};
/** An empty folder named like the exercise, so Open Exercise's suggestion is that very folder. */
function exerciseFolder(prefix, id) {
  const folder = join(mkdtempSync(join(tmpdir(), prefix)), id);
  mkdirSync(folder);
  return folder;
}
const common = {
  ...installation,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000, color: false },
};

export default defineConfig([
  { ...common, label: 'activation', files: 'out/test/integration/activation.test.js' },
  {
    ...common,
    ...trustOn,
    label: 'learner',
    files: 'out/test/integration/learner.test.js',
    workspaceFolder: exerciseFolder('leakhunt-learner-', 'user-sessions'),
    mocha: { ...common.mocha, timeout: 150_000 },
  },
  {
    ...common,
    label: 'live',
    files: 'out/test/integration/liveSession.test.js',
    workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-live-')),
    mocha: { ...common.mocha, timeout: 150_000 },
  },
  // On demand only (LEAKHUNT_TIME_FIND_LEAK=1): a full Find Leak, timed against `leakhunt hunt`.
  ...(process.env.LEAKHUNT_TIME_FIND_LEAK
    ? [
        {
          ...common,
          label: 'find-leak-timing',
          files: 'out/test/integration/findLeakTiming.test.js',
          workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-timing-')),
          mocha: { ...common.mocha, timeout: 170_000 },
        },
      ]
    : []),
  {
    ...common,
    label: 'consent',
    files: 'out/test/integration/consent.test.js',
    workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-consent-window-')),
  },
  ...(process.env.VSCODE_EXE
    ? [
        {
          ...common,
          ...trustOn,
          label: 'untrusted',
          files: 'out/test/integration/untrusted.test.js',
          workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-untrusted-')),
        },
        // Clicks inside the Heap Explorer webview: only the code-server host's driver can.
        {
          ...common,
          ...trustOn,
          label: 'heap-explorer',
          files: 'out/test/integration/heapExplorer.test.js',
          mocha: { ...common.mocha, timeout: 150_000 },
        },
        {
          ...common,
          ...trustOn,
          label: 'packaged',
          files: 'out/test/integration/packaged.test.js',
          env: { LEAKHUNT_PACKAGED: '1' },
        },
      ]
    : []),
  // On demand only (see the test): LEAKHUNT_BIG_SNAPSHOT names the file to parse.
  ...(process.env.LEAKHUNT_BIG_SNAPSHOT
    ? [
        {
          ...common,
          label: 'responsiveness',
          files: 'out/test/integration/responsiveness.test.js',
          mocha: { ...common.mocha, timeout: 170_000 },
        },
      ]
    : []),
]);
