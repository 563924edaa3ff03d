// VS Code's wasm heap viewer's parser (@vscode/v8-heap-parser): decode the whole file, then
// the class groups with retained sizes, which is what its Summary view shows first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { decode_bytes: decodeBytes } = require('@vscode/v8-heap-parser');

const [mode, file] = process.argv.slice(2);
if (mode !== 'summary') throw new Error(`@vscode/v8-heap-parser has no ${mode}`);
const graph = decodeBytes(readFileSync(file));
const groups = graph.get_class_groups(0, 0xffffffff, false);
let selfSize = 0n;
for (const group of groups) selfSize += group.self_size;
console.log(JSON.stringify({ classes: groups.length, totalSize: Number(selfSize) }));
