// Builds the TypeScript sources in src/ into dist/ without installing anything: the compiler
// comes from LEAKHUNT_TYPESCRIPT (a path to typescript's lib/typescript.js — Leak Hunt sets it
// to the TypeScript bundled with VS Code or with Leak Hunt itself), else from a `typescript`
// package that `require` can find. Each file is transpiled on its own (no type checking):
// quick, and enough to run the service and its tests.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file lives in tools/; the project is its parent folder.
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const load = createRequire(path.join(root, 'package.json'));

function loadTypeScript() {
  const explicit = process.env.LEAKHUNT_TYPESCRIPT;
  if (explicit) return load(explicit);
  try {
    return load('typescript');
  } catch {
    throw new Error(
      'No TypeScript compiler found. Set LEAKHUNT_TYPESCRIPT to .../typescript/lib/typescript.js ' +
        '(Leak Hunt does this for you) or install typescript next to this project.',
    );
  }
}

function sourcesIn(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesIn(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * Transpiles src/**\/*.ts into CommonJS in dist/**\/*.js (dist/package.json says so, since
 * this project's own scripts are ES modules); returns the number of files written.
 */
export function build() {
  const ts = loadTypeScript();
  const srcDir = path.join(root, 'src');
  const outDir = path.join(root, 'dist');
  fs.rmSync(outDir, { recursive: true, force: true });
  const sources = sourcesIn(srcDir);
  for (const file of sources) {
    const target = path.join(outDir, path.relative(srcDir, file)).replace(/\.ts$/, '.js');
    const result = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
        inlineSources: true,
        // The map names only the file; the root leads from dist/ back to it in src/, so
        // debuggers and stack traces (and Leak Hunt) open the TypeScript source.
        sourceRoot: path
          .relative(path.dirname(target), path.dirname(file))
          .split(path.sep)
          .join('/'),
      },
    });
    const errors = (result.diagnostics || []).filter(
      (d) => d.category === ts.DiagnosticCategory.Error,
    );
    if (errors.length) {
      const text = ts.formatDiagnostics(errors, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n',
      });
      throw new Error(`TypeScript could not transpile ${path.relative(root, file)}:\n${text}`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, result.outputText);
  }
  fs.writeFileSync(path.join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  return sources.length;
}
