// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/ from the bottom up (docs/layers.md): each may import only itself and the
 * layers before it. ESLint enforces it, so an import against the order fails `npm run lint`.
 */
const LAYERS = [
  'common',
  'heap',
  'load',
  'inspector',
  'hunt',
  'exercises',
  'progress',
  'learner',
  'classroom',
  'cli',
  'extension',
];

/**
 * Modules of a higher layer that the layers below may name in `import type` only: the exercise
 * manifest is the contract they run (services to launch, the load profile, the check).
 */
const SHARED_TYPES = ['exercises/manifest'];

/** Imports banned although the order allows them, with the reason. */
const EXTRA_BANS = {
  exercises: {
    inspector:
      'exercises run commands, never the inspector (process supervision is in src/common).',
  },
};

/** A relative import of `target` (a layer, or a module in one) from a file under src/. */
function importOf(target) {
  return `^(\\.\\./)+${target}(/|$)`;
}

/**
 * One ESLint block per layer. A later block replaces a rule's options in a flat config, so
 * each block carries every restriction of its files, the `vscode` ban included.
 */
function layerRules() {
  return LAYERS.map((layer, index) => {
    const above = LAYERS.slice(index + 1);
    const patterns = above.map((upper) => {
      // A shared module is excluded here and allowed below as types only.
      const shared = SHARED_TYPES.filter((module) => module.startsWith(`${upper}/`))
        .map((module) => `(?!${module.slice(upper.length + 1)}$)`)
        .join('');
      return {
        regex: importOf(upper) + shared,
        message: `src/${layer} sits below src/${upper} (docs/layers.md): it may not import it.`,
      };
    });
    for (const module of SHARED_TYPES.filter((m) => above.includes(m.split('/')[0])))
      patterns.push({
        regex: `${importOf(module)}$`,
        allowTypeImports: true,
        message: `src/${layer} may name src/${module}'s types only, with \`import type\`.`,
      });
    for (const [banned, why] of Object.entries(EXTRA_BANS[layer] ?? {}))
      patterns.push({
        regex: importOf(banned),
        message: `src/${layer} may not import src/${banned}: ${why}`,
      });
    const paths =
      layer === 'extension'
        ? []
        : [{ name: 'vscode', message: 'Only src/extension/ may import vscode.' }];
    return {
      files: [`src/${layer}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
    };
  });
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'out-*/**',
      'node_modules/**',
      '.vscode-test/**',
      'bench/node_modules/**',
      'bench/data/**',
      'bench/corpus/*/node_modules/**',
      'exercises/**/node_modules/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        globalThis: 'readonly',
        structuredClone: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': 'off',
    },
  },
  ...layerRules(),
  {
    // Corpus cases imitate real services, CommonJS ones included: `require` is what they use.
    files: ['bench/corpus/*/server.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['media/webview/**/*.ts'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', HTMLElement: 'readonly' },
    },
  },
);
