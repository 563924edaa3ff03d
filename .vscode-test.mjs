// Integration tests run the real extension inside a real VS Code. On a machine with internet the
// test tools download VS Code; where they cannot (CI here), VSCODE_EXE names an executable that
// behaves like one (../shared/vscode-host/code-shim.sh: code-server driven by headless Chromium).
// Launches, each with a fresh window: activation in an empty one, the learner play-through in an
// empty folder it turns into an exercise and, with the code-server host only, Restricted Mode in
// an untrusted folder (test-electron always disables workspace trust, so that launch goes through
// untrustedHost.sh, which starts the host with trust on).
import { defineConfig } from '@vscode/test-cli';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const installation = process.env.VSCODE_EXE
  ? { useInstallation: { fromPath: process.env.VSCODE_EXE } }
  : { version: '1.96.0' };
const common = {
  ...installation,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000, color: false },
};

export default defineConfig([
  { ...common, label: 'activation', files: 'out/test/integration/activation.test.js' },
  {
    ...common,
    label: 'learner',
    files: 'out/test/integration/learner.test.js',
    workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-learner-')),
    mocha: { ...common.mocha, timeout: 150_000 },
  },
  ...(process.env.VSCODE_EXE
    ? [
        {
          ...common,
          useInstallation: {
            fromPath: fileURLToPath(new URL('test/integration/untrustedHost.sh', import.meta.url)),
          },
          label: 'untrusted',
          files: 'out/test/integration/untrusted.test.js',
          workspaceFolder: mkdtempSync(join(tmpdir(), 'leakhunt-untrusted-')),
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
