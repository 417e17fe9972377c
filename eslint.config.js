// Lint with the type checker's help: the rules that matter here are the ones tsc cannot see —
// a promise nobody awaits, an async callback where a sync one is expected, a switch that misses
// a member of a union. `npm run lint` runs it; `npm test` runs it before vitest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'workspace/**', 'bench/.work/**', '**/*.types.ts'] },
  {
    files: ['src/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `default: assertNever(x)` is how this code base closes a switch, so a default case does
      // not excuse a missing member, and is not itself an error.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false, allowDefaultCaseForExhaustiveSwitch: true }],
      // `_name` marks a value deliberately unused (a destructured-away field, an ignored parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Noise: template literals interpolate numbers and Result errors all over the messages;
      // tsc already rejects the risky cases (objects) by type where they matter.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // Noise: `async` on a seam's implementation keeps the interface uniform even when this one
      // implementation happens not to await.
      '@typescript-eslint/require-await': 'off',
      // Noise: control characters in regexes are deliberate here (FITS cards, terminal output).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['bench/**/*.mjs', 'scripts/**/*.mjs', 'examples/catalog/bin/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly' },
    },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
);
