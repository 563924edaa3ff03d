import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { packageRoot, packageVersion } from '../common/packageRoot';
import { isFile } from '../exercises/files';
import { findTypeScript } from '../exercises/runner';
import { ClassroomError } from './errors';

/**
 * The Leak Hunt command line copied into a template repository, so CI and a dev container can
 * grade and verify without any package registry. `dist/cli.js` is one esbuild bundle (grading
 * diffs in-process, so no heap worker is needed), but it finds its JSON schemas, its version and
 * a TypeScript compiler by walking up to a `package.json` named `leak-hunt`. The vendored folder
 * is that package in miniature: the bundle, a `package.json` (which also lets
 * `npm install --global ./.leakhunt/cli` put `leakhunt` on the PATH), the two schemas and, for
 * exercises with a setup step, TypeScript's compiler file.
 */

/** Where the CLI goes inside a template, relative to its root (forward slashes: used in YAML). */
export const VENDORED_CLI_DIR = '.leakhunt/cli';
/** The command that runs the vendored CLI from the template's root. */
export const VENDORED_CLI = `${VENDORED_CLI_DIR}/leakhunt.js`;

const SCHEMAS = ['exercise.schema.json', 'set.schema.json'];
/** Built next to dist/cli.js, which loads them by path at run time. */
const COMPANIONS = ['testReporter.js', 'dominatorWorker.js'];

export interface VendorOptions {
  /** The built CLI bundle; default `dist/cli.js` of this installation. */
  cliBundle?: string;
  /** Also vendor TypeScript's `lib/typescript.js`, for exercises whose setup builds TypeScript. */
  withTypeScript: boolean;
}

/** What was vendored, for the command's summary. */
export interface VendoredCli {
  files: string[];
  /** False when TypeScript was wanted but no compiler was found to copy. */
  typescript: boolean;
}

/** Copies the CLI into `<templateDir>/.leakhunt/cli`. */
export async function vendorCli(templateDir: string, options: VendorOptions): Promise<VendoredCli> {
  const root = packageRoot();
  const bundle = options.cliBundle ?? join(root, 'dist', 'cli.js');
  if (!(await isFile(bundle)))
    throw new ClassroomError(`${bundle} is missing: build the command line first (npm run build)`);
  const target = join(templateDir, ...VENDORED_CLI_DIR.split('/'));
  const files: string[] = [];
  const put = async (rel: string, content: string | Buffer) => {
    const path = join(target, ...rel.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    files.push(`${VENDORED_CLI_DIR}/${rel}`);
  };

  // The source maps stay behind, so the comments pointing at them go too.
  const withoutMap = async (file: string): Promise<string> =>
    (await readFile(file, 'utf8')).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  await put('leakhunt.js', await withoutMap(bundle));
  // Bundles the CLI starts by path from its own folder (docs/layers.md): the reporter grading
  // hands to the exercise's `node --test`, and the dominator worker of large heaps.
  for (const companion of COMPANIONS) {
    const file = join(dirname(bundle), companion);
    if (!(await isFile(file)))
      throw new ClassroomError(`${file} is missing: build the command line first (npm run build)`);
    await put(companion, await withoutMap(file));
  }
  const manifest = {
    name: 'leak-hunt',
    version: packageVersion(),
    private: true,
    description:
      'The Leak Hunt command line, vendored for grading and for learners without the editor',
    license: 'MIT',
    bin: { leakhunt: 'leakhunt.js' },
  };
  await put('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const schema of SCHEMAS)
    await put(`schemas/${schema}`, await readFile(join(root, 'schemas', schema)));

  let typescript = false;
  const compiler = options.withTypeScript ? findTypeScript() : undefined;
  if (compiler) {
    // lib/typescript.js is self-contained; its package.json and licence travel with it.
    const packageDir = dirname(dirname(compiler));
    await put('node_modules/typescript/lib/typescript.js', await readFile(compiler));
    for (const extra of ['package.json', 'LICENSE.txt']) {
      const from = join(packageDir, extra);
      if (await isFile(from)) await put(`node_modules/typescript/${extra}`, await readFile(from));
    }
    typescript = true;
  }
  return { files, typescript };
}
