import { buildSync } from 'esbuild';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * Loads a DOM-free module of the webview (media/webview/*.ts) into Node for plain unit tests.
 * `esbuild.mjs --tests` only transpiles src/ and test/, so the module is bundled here on the fly.
 */
export function loadPageModule<T>(path: string): T {
  const result = buildSync({
    entryPoints: [join(repoRoot, path)],
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const module = { exports: {} as T };
  new Function('module', 'exports', result.outputFiles[0].text)(module, module.exports);
  return module.exports;
}
