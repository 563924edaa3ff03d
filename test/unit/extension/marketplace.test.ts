import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../../src/common/packageRoot';

const root = packageRoot();

/** Width and height from a PNG's IHDR chunk. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', `${file} is a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('the marketplace icon is a 128 px PNG, and it and the README pictures are packaged', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    icon?: string;
  };
  assert.ok(manifest.icon, 'package.json names an icon');
  assert.deepEqual(pngSize(join(root, manifest.icon)), { width: 128, height: 128 });
  const pictures = [
    ...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)]+)\)/g),
  ]
    .map((match) => match[1]!)
    .filter((target) => !/^https?:/.test(target));
  assert.ok(pictures.length > 0, 'the README shows a picture');
  // `vsce ls` applies .vscodeignore exactly as `vsce package` does.
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const packaged = new Set(
    execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean),
  );
  assert.deepEqual(
    [manifest.icon, ...pictures].filter((file) => !packaged.has(file)),
    [],
    'not in the .vsix',
  );
});
