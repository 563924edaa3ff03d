// One build script for every bundle Leak Hunt ships, plus the transpiled tree the tests run on.
//   node esbuild.mjs               development build of all bundles (source maps)
//   node esbuild.mjs --production  minified, no source maps (what `npm run package` ships)
//   node esbuild.mjs --watch       rebuild on change
//   node esbuild.mjs --tests       transpile src/ and test/ file by file into out/ for node --test
//                                  (--out DIR picks another folder, so parallel runs don't collide)
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const args = new Set(argv);
const testsOut = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : 'out';
const production = args.has('--production');
const watch = args.has('--watch');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  target: 'es2022',
};

const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** @type {esbuild.BuildOptions[]} */
const bundles = [
  {
    ...nodeCommon,
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
    external: ['vscode'],
  },
  { ...nodeCommon, entryPoints: { heapWorker: 'src/heap/worker.ts' }, outdir: 'dist' },
  // Started by the heap analysis from whichever bundle runs it: resolved next to that bundle.
  {
    ...nodeCommon,
    entryPoints: { dominatorWorker: 'src/heap/dominatorWorker.ts' },
    outdir: 'dist',
  },
  // Loaded by the exercises' own `node --test` (--test-reporter=<file URL>): Node built-ins only.
  {
    ...nodeCommon,
    entryPoints: { testReporter: 'src/exercises/testReporter.ts' },
    outdir: 'dist',
  },
  {
    ...nodeCommon,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    entryPoints: { webview: 'media/webview/main.ts' },
    outdir: 'dist',
    loader: { '.ttf': 'file' },
  },
];

function listTs(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...listTs(path));
    else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) found.push(path);
  }
  return found;
}

/** Tests run on the core file by file, so a failure points at the module, not a bundle. */
async function buildTests() {
  rmSync(testsOut, { recursive: true, force: true });
  const entryPoints = ['src', 'test']
    .flatMap(listTs)
    .filter((f) => !f.startsWith('test/webview/page'));
  await esbuild.build({
    entryPoints,
    outdir: testsOut,
    outbase: '.',
    bundle: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

function copyCodicons() {
  const from = 'node_modules/@vscode/codicons/dist';
  mkdirSync('dist/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf'])
    cpSync(join(from, file), join('dist/codicons', file));
}

if (args.has('--tests')) {
  await buildTests();
} else if (watch) {
  copyCodicons();
  for (const options of bundles) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('[watch] building; press Ctrl-C to stop');
} else {
  rmSync('dist', { recursive: true, force: true });
  await Promise.all(bundles.map((options) => esbuild.build(options)));
  copyCodicons();
}
