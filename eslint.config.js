// ESLint for the server, the web UI, the tests, the benchmarks and the scripts: JavaScript's and
// typescript-eslint's recommended rules (syntax-based, so a run takes seconds, not the minutes a
// type-aware run would on two cores), React's hook rules for the UI. Formatting is Prettier's
// business (.prettierrc.json), never ESLint's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'web/dist/', 'node_modules/', 'data/', '.cache/', 'test-results/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        fetch: 'readonly',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
      },
    },
    rules: {
      // Unused names are errors, except those marked unused on purpose (`_name`, rest siblings).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Type-only imports say so: the web bundles no server code (test/unit/contracts.test.ts).
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-constant-condition': ['error', { checkLoops: false }],
      // `== null` is the one loose comparison kept: it means null or undefined, on purpose.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Regular expressions that validate names and text match control characters on purpose.
      'no-control-regex': 'off',
      // Initial values that every path overwrites are sometimes what TypeScript's
      // definite-assignment analysis needs (a value read in \`finally\`).
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
