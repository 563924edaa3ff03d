import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { createLocationMapper } from '../../../src/exercises/sourceLocation';

const work = mkdtempSync(join(tmpdir(), 'leakhunt-location-test-'));
after(() => rmSync(work, { recursive: true, force: true }));
const appDir = join(work, 'exercise', 'app');
const copyDir = join(work, 'copy', 'app');

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A generated file whose line i (0-based) comes from line i + 2 of its source, column 0. */
function withMap(code: string, map: Record<string, unknown>): string {
  const payload = { version: 3, names: [], mappings: 'AAEA;AACA;AACA', ...map };
  const base64 = Buffer.from(JSON.stringify(payload)).toString('base64');
  return `${code}\n//# sourceMappingURL=data:application/json;base64,${base64}\n`;
}

const SOURCE = 'type A = 1;\ntype B = 2;\nfirst();\nsecond();\nthird();\n';
write(join(appDir, 'src', 'named.ts'), SOURCE);
write(join(appDir, 'src', 'by-content.ts'), `// only its text identifies it\n${SOURCE}`);
write(join(appDir, 'src', 'twin-1.ts'), 'twin();\n');
write(join(appDir, 'src', 'twin-2.ts'), 'twin();\n');
write(join(appDir, 'plain.js'), 'plain();\n');
write(join(copyDir, 'plain.js'), 'plain();\n');
write(
  join(copyDir, 'dist', 'named.js'),
  withMap('first();\nsecond();\nthird();', { sourceRoot: '../src', sources: ['named.ts'] }),
);
write(
  join(copyDir, 'dist', 'by-content.js'),
  withMap('first();\nsecond();\nthird();', {
    sources: ['by-content.ts'], // the base name only, as ts.transpileModule writes it
    sourcesContent: [`// only its text identifies it\n${SOURCE}`],
  }),
);
write(
  join(copyDir, 'dist', 'twin.js'),
  withMap('twin();', { sources: ['twin.ts'], sourcesContent: ['twin();\n'] }),
);

test('a built file is traced through its inline source map to the exercise source', async () => {
  const locate = await createLocationMapper(copyDir, appDir);
  assert.deepEqual(await locate({ file: join(copyDir, 'dist', 'named.js'), line: 2, column: 1 }), {
    file: join(appDir, 'src', 'named.ts'),
    line: 4,
    column: 1,
  });
  const url = pathToFileURL(join(copyDir, 'dist', 'by-content.js')).href;
  assert.deepEqual(await locate({ file: url, line: 3, column: 1 }), {
    file: join(appDir, 'src', 'by-content.ts'),
    line: 5,
    column: 1,
  });
});

test('files without a usable map keep their path relative to the app; others are untouched', async () => {
  const locate = await createLocationMapper(copyDir, appDir);
  assert.deepEqual(await locate({ file: join(copyDir, 'plain.js'), line: 1, column: 3 }), {
    file: join(appDir, 'plain.js'),
    line: 1,
    column: 3,
  });
  // Two app files hold the embedded source: no single answer, so the built file's own path.
  assert.deepEqual(await locate({ file: join(copyDir, 'dist', 'twin.js'), line: 1, column: 1 }), {
    file: join(appDir, 'dist', 'twin.js'),
    line: 1,
    column: 1,
  });
  for (const file of ['node:timers', join(work, 'elsewhere.js')])
    assert.deepEqual(await locate({ file, line: 7, column: 2 }), { file, line: 7, column: 2 });
});
