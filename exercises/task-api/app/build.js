// `node build.js`: transpiles src/ into dist/ (see tools/build.js for where the compiler comes from).
import { build } from './tools/build.js';

try {
  const count = build();
  console.log(`built ${count} files into dist/`);
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
}
