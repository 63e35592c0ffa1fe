// ESLint: type-aware rules from typescript-eslint, and import boundaries that keep the
// layout honest (docs/ARCHITECTURE.md): sfu/ and scheduler/ never import web or database code, the
// client imports only types from the server's contract.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const serverLibraries = ['express', 'express/*', 'socket.io', 'mongoose', 'jsonwebtoken'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'client/dist/',
      'data/',
      'bench/results/',
      'test-results/',
      'test-results-*/',
      'playwright-report/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['sfu/**/*.ts', 'scheduler/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: serverLibraries.map((name) => ({
            name,
            message: 'sfu/ and scheduler/ are libraries: no web or database code.',
          })),
          patterns: [
            {
              group: ['**/server/**', '**/client/**'],
              message: 'Libraries never import the server or the client.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scheduler/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...serverLibraries,
            'mediasoup',
            'node:fs',
            'node:net',
            'node:http',
            'node:child_process',
          ].map((name) => ({
            name,
            message: 'scheduler/ is pure: no I/O, no media.',
          })),
          patterns: [
            {
              group: ['**/server/**', '**/client/**', '**/sfu/**'],
              message: 'scheduler/ imports no other layer.',
            },
          ],
        },
      ],
    },
  },
  {
    // The wire contract, shared with the browser. It may import zod, its own files and, as
    // types only, the scheduler's plain-data results that travel as they are (figures, bells,
    // compatibility reports, proposals): the scheduler computes them, so they are defined
    // there once. Never sfu/ (its types carry mediasoup's; the media wire shapes are the
    // contract's own, checked against sfu's in server/signaling/wireTypes.ts), nor any other
    // server module.
    files: ['server/contract/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...serverLibraries, 'mediasoup'].map((name) => ({
            name,
            message: 'The contract is types and schemas: no web, database or media code.',
          })),
          patterns: [
            {
              group: ['**/sfu/**', '**/client/**'],
              message: 'The contract imports neither the media plane nor the client.',
            },
            {
              regex: String.raw`^\.\./(?!\.\./scheduler/)`,
              message: 'The contract imports no server module (only its own files and scheduler types).',
            },
            {
              group: ['**/scheduler/**'],
              allowTypeImports: true,
              message: 'Import the scheduler’s types with `import type` only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...serverLibraries, 'mediasoup'].map((name) => ({
            name,
            message: 'Browser code: use the browser libraries.',
          })),
          patterns: [
            {
              group: ['**/server/**', '!**/server/contract', '!**/server/contract/**'],
              message: 'The client imports only the server contract.',
            },
            {
              // The board protocol's fold is the one piece of contract both sides run: a pure,
              // dependency-free function, so that every participant folds the log alike. The
              // names the platform gives records (names.ts: constants) are the other: the server
              // writes them, the client recognizes them to word them in its language.
              group: [
                '**/server/contract/**',
                '!**/server/contract/board.ts',
                '!**/server/contract/names.ts',
              ],
              allowTypeImports: true,
              message: 'Import the contract with `import type`.',
            },
            {
              group: ['**/sfu/**', '**/scheduler/**'],
              message: 'The client talks to the server over HTTP and socket.io only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.ts', 'tests/**/*.ts', 'server/main.ts'],
    rules: { 'no-console': 'off' },
  },
  // Plain JavaScript (setup scripts, the worker bootstrap, this file): no type information.
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false }, globals: globals.node },
  },
);
