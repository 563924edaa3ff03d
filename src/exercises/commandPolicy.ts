import type { Problem } from './errors';
import type { ExerciseManifest } from './manifest';

/**
 * What an exercise may pass to `node` and put in its services' environment. Packs are hostile
 * input, and a service's node options or environment can load code from anywhere on the machine
 * (`--require /tmp/x.js`, `NODE_OPTIONS`, `LD_PRELOAD`), so both are limited to an allow-list and
 * checked with the schema: `loadExercise`, `validate` and `unpack` all refuse what is not on it.
 */

/** A whole number, for the size and limit flags. */
const COUNT = /^\d{1,9}$/;

/** Node options an exercise may give a service, each with the values it accepts (none: a switch). */
const NODE_OPTIONS: Record<string, RegExp | undefined> = {
  '--max-old-space-size': COUNT,
  '--max-semi-space-size': COUNT,
  '--stack-size': COUNT,
  '--stack-trace-limit': COUNT,
  '--heapsnapshot-near-heap-limit': COUNT,
  '--max-http-header-size': COUNT,
  '--unhandled-rejections': /^(strict|warn|none|throw|warn-with-error-code)$/,
  '--expose-gc': undefined,
  '--expose_gc': undefined,
  '--trace-gc': undefined,
  '--trace-warnings': undefined,
  '--no-warnings': undefined,
  '--enable-source-maps': undefined,
  '--zero-fill-buffers': undefined,
};

/** Options that load a module before the entry: allowed only for a file inside the app folder. */
const MODULE_OPTIONS = new Set(['--require', '--import', '--loader', '--experimental-loader']);

/**
 * `./path` inside the app folder: a leading `./` (so Node reads a path, not a package that could
 * resolve to any `node_modules` up the tree), no `..`, no backslashes, no URL scheme.
 */
function isPathInsideApp(value: string): boolean {
  if (!value.startsWith('./') || value.includes('\\')) return false;
  return value
    .slice(2)
    .split('/')
    .every((part) => part !== '..' && part !== '');
}

/** Why a list of node options is refused, one message per option; empty when all are allowed. */
export function nodeOptionProblems(args: readonly string[]): string[] {
  const problems: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (MODULE_OPTIONS.has(flag)) {
      const value = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (value === undefined || !isPathInsideApp(value))
        problems.push(
          `'${arg}' loads code from outside the exercise; only a file of the app folder may be ` +
            `preloaded, as ${flag}=./file.js`,
        );
      continue;
    }
    if (!(flag in NODE_OPTIONS)) {
      problems.push(
        `'${arg}' is not an allowed node option (allowed: ${Object.keys(NODE_OPTIONS).join(', ')}, ` +
          `and ${[...MODULE_OPTIONS].join('/')} with a file of the app folder)`,
      );
      continue;
    }
    const pattern = NODE_OPTIONS[flag];
    const value = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (pattern && (value === undefined || !pattern.test(value)))
      problems.push(`'${arg}' needs a value like ${flag}=${pattern === COUNT ? '64' : 'strict'}`);
    else if (!pattern && value !== undefined) problems.push(`'${arg}' takes no value`);
  }
  return problems;
}

/** Variables that make Node, the dynamic linker or a shell load or run other code, or that Leak Hunt sets. */
const REFUSED_NAMES = new Set([
  'PATH',
  'HOST',
  'PORT',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'PS4',
  'IFS',
]);
const REFUSED_PREFIXES = ['NODE_', 'LD_', 'DYLD_', 'LEAKHUNT_', 'NPM_CONFIG_', 'BASH_FUNC_'];
/** NODE_ENV selects a mode; it loads nothing. */
const ALLOWED_NODE_NAMES = new Set(['NODE_ENV']);

/** Why an environment variable name is refused for `service`, or undefined when it is allowed. */
export function envNameProblem(name: string, serviceNames: readonly string[]): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return `'${name}' is not a plain variable name (letters, digits, _)`;
  // Windows reads names case-insensitively, so compare upper-cased.
  const upper = name.toUpperCase();
  if (ALLOWED_NODE_NAMES.has(upper)) return undefined;
  if (upper === 'NODE_OPTIONS') return `'${name}' is not allowed; put node options in nodeArgs`;
  if (REFUSED_NAMES.has(upper) || REFUSED_PREFIXES.some((prefix) => upper.startsWith(prefix)))
    return `'${name}' is not allowed: it can make a program load other code, or Leak Hunt sets it`;
  if (serviceNames.some((service) => upper === `${service.toUpperCase().replace(/-/g, '_')}_URL`))
    return `'${name}' is set by Leak Hunt to the service's loopback address`;
  return undefined;
}

/** Every service's node options and environment names checked against the allow-list. */
export function commandPolicyProblems(manifest: ExerciseManifest): Problem[] {
  const problems: Problem[] = [];
  const names = manifest.services.map((s) => s.name);
  manifest.services.forEach((service, i) => {
    for (const message of nodeOptionProblems(service.nodeArgs ?? []))
      problems.push({ where: `/services/${i}/nodeArgs`, message });
    for (const name of Object.keys(service.env ?? {})) {
      const message = envNameProblem(name, names);
      if (message) problems.push({ where: `/services/${i}/env/${name}`, message });
    }
  });
  return problems;
}
