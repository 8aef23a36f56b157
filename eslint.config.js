// Type-checked lint, as ../shared/STYLE.md asks: no-floating-promises catches the un-awaited publish.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ../shared/STYLE.md, Layering: "domain imports nothing of ours". Every top-level folder of src/ but domain itself,
// as src/domain (../x) or src/domain/projections (../../x) would reach it; a new top-level folder belongs here too.
// Regexes, not gitignore globs: a glob like `events` would also match a path segment of a domain file's own import.
const outsideDomain = [
  'actors',
  'bench',
  'check',
  'cli',
  'http',
  'kit',
  'log',
  'plugins',
  'process',
  'scenarios',
  'store',
  'system',
  'topology',
  'transport',
  'ui',
];
const pureDomain = {
  // Bare names too ('fs', 'crypto'), matched exactly; `node:` ones by prefix.
  paths: builtinModules.map((name) => ({
    name,
    message: 'src/domain is pure: no Node.js modules (time, ids and I/O come in through arguments).',
  })),
  patterns: [
    {
      regex: '^node:',
      message: 'src/domain is pure: no Node.js modules (time, ids and I/O come in through arguments).',
    },
    {
      regex: `^(\\.\\./){1,2}(${outsideDomain.join('|')})(/|$)`,
      message: 'src/domain imports nothing of ours outside src/domain (STYLE.md, Layering).',
    },
    // Out of src/ altogether (from src/domain, ../../x; from projections, ../../../x), the named folders aside.
    {
      regex: `^(\\.\\./\\.\\./(?!domain/|(${outsideDomain.join('|')})(/|$))|(\\.\\./){3,})`,
      message: 'src/domain imports nothing outside src/ either.',
    },
    {
      regex:
        '^(better-sqlite3|pino(-[^/]+)?|fastify|ink(-[^/]+)?|react(-dom)?|xstate|@nats-io/[^/]+|@fastify/[^/]+|@xstate/[^/]+)(/|$)',
      message:
        'src/domain is pure: no I/O or runtime packages (SQLite, NATS, logging, HTTP, UI and XState belong to the layers around it).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**', '.data/**', 'eslint.config.js', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // The domain is pure: decide and evolve over values; time, ids and I/O come in through arguments.
    files: ['src/domain/**'],
    rules: { 'no-restricted-imports': ['error', pureDomain] },
  },
);
