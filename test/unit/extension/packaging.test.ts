import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';
import { namedFiles } from '../../support/manifestFiles';

// `vsce ls` applies .vscodeignore exactly as `vsce package` does, without writing a .vsix.
function packagedFiles(): string[] {
  const vsce = join(packageRoot(), 'node_modules', '@vscode', 'vsce', 'vsce');
  const output = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], {
    cwd: packageRoot(),
    encoding: 'utf8',
  });
  return output.split('\n').filter(Boolean);
}

test('the .vsix carries the bundles, media, exercises and docs, and nothing of the sources', () => {
  const files = packagedFiles();
  for (const required of [
    'package.json',
    'README.md',
    'LICENSE',
    'CHANGELOG.md',
    'dist/extension.js',
    'dist/heapWorker.js',
    'dist/dominatorWorker.js',
    'dist/testReporter.js',
    'dist/cli.js',
    'dist/webview.js',
    'dist/webview.css',
  ]) {
    assert.ok(files.includes(required), `${required} is packaged (build first: npm run build)`);
  }
  assert.ok(
    files.some((f) => f.startsWith('media/')),
    'media/ is packaged',
  );
  assert.ok(
    files.some((f) => f.startsWith('exercises/')),
    'exercises/ is packaged',
  );
  const unwanted = files.filter(
    (f) =>
      /^(src|test|out|bench|scripts|node_modules)\//.test(f) ||
      f.endsWith('.map') ||
      /^media\/.*\.ts$/.test(f),
  );
  assert.deepEqual(unwanted, []);
});

test('every file the manifest names is in the .vsix', () => {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    contributes: unknown;
  };
  const named = namedFiles(manifest.contributes);
  assert.ok(named.includes('media/walkthrough/open.md'), named.join(', '));
  const files = new Set(packagedFiles());
  assert.deepEqual(
    named.filter((file) => !files.has(file)),
    [],
  );
});
