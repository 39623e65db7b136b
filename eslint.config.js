// Lint: typescript-eslint's recommended rules, plus the layering rule DESIGN.md sets:
// the engine must stay free of Node-only APIs so it also runs in a browser worker.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'panopticon-results/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine, the pool core shared by the Node and browser worker pools, and the explorer's page.
    files: ['src/engine/**/*.ts', 'src/runtime/pool.ts', 'src/runtime/shard-worker.ts', 'src/runtime/protocol.ts', 'web/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'], message: 'src/engine must not use Node-only APIs (DESIGN.md §2).' }] },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    // Chart specs and reports also run in the browser (the explorer); only src/charts/node/ may use Node.
    files: ['src/charts/**/*.ts'],
    ignores: ['src/charts/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process', '@resvg/*', '@duckdb/*', '**/store/*', '**/node/*'], message: 'src/charts (outside src/charts/node/) must stay browser-safe (DESIGN.md §2).' }] },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/models/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use the counter-based RNG (src/engine/rng.ts): results must be reproducible.' },
      ],
    },
  },
);
