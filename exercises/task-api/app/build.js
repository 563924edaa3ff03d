'use strict';
// Builds the TypeScript sources in src/ into dist/ without installing anything: the compiler
// comes from LEAKHUNT_TYPESCRIPT (a path to typescript's lib/typescript.js — Leak Hunt sets it
// to the TypeScript bundled with VS Code or with Leak Hunt itself), else from a `typescript`
// package that `require` can find. Each file is transpiled on its own (no type checking):
// quick, and enough to run the service and its tests.
const fs = require('node:fs');
const path = require('node:path');

function loadTypeScript() {
  const explicit = process.env.LEAKHUNT_TYPESCRIPT;
  if (explicit) return require(explicit);
  try {
    return require(require.resolve('typescript', { paths: [__dirname] }));
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

/** Transpiles src/**\/*.ts into dist/**\/*.js; returns the number of files written. */
function build() {
  const ts = loadTypeScript();
  const srcDir = path.join(__dirname, 'src');
  const outDir = path.join(__dirname, 'dist');
  fs.rmSync(outDir, { recursive: true, force: true });
  const sources = sourcesIn(srcDir);
  for (const file of sources) {
    const result = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        inlineSourceMap: true,
        inlineSources: true,
      },
    });
    const errors = (result.diagnostics || []).filter(
      (d) => d.category === ts.DiagnosticCategory.Error,
    );
    if (errors.length) {
      const text = ts.formatDiagnostics(errors, {
        getCanonicalFileName: (name) => name,
        getCurrentDirectory: () => __dirname,
        getNewLine: () => '\n',
      });
      throw new Error(`TypeScript could not transpile ${path.relative(__dirname, file)}:\n${text}`);
    }
    const target = path.join(outDir, path.relative(srcDir, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, result.outputText);
  }
  return sources.length;
}

module.exports = { build };

if (require.main === module) {
  try {
    const count = build();
    console.log(`built ${count} files into dist/`);
  } catch (error) {
    console.error(error.message);
    process.exitCode = 1;
  }
}
