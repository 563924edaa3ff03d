// Runs node's test runner on every *.test.js below the given folders (Node 20 has no globs for
// --test, and its directory mode would also run helper modules that live under test/).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return path.endsWith('.test.js') ? [path] : [];
  });
}

const files = process.argv.slice(2).flatMap(findTests).sort();
if (files.length === 0) {
  console.error(`no test files under ${process.argv.slice(2).join(', ')}`);
  process.exit(1);
}
const { status } = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
process.exit(status ?? 1);
