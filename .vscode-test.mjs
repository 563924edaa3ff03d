// Integration tests run the real extension inside a real VS Code. On a machine with internet the
// test tools download VS Code; where they cannot (CI here), VSCODE_EXE names an executable that
// behaves like one (../shared/vscode-host/code-shim.sh: code-server driven by headless Chromium).
import { defineConfig } from '@vscode/test-cli';

export default defineConfig({
  label: 'integration',
  files: 'out/test/integration/**/*.test.js',
  ...(process.env.VSCODE_EXE
    ? { useInstallation: { fromPath: process.env.VSCODE_EXE } }
    : { version: '1.96.0' }),
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60_000, color: false },
});
