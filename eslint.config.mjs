// Lint as STYLE.md prescribes: typescript-eslint type-aware rules, no floating promises, separate type imports,
// no `export *`, no parameter properties, relaxed rules where tests make them noise. Run with `npm run lint`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const workspaces = ['core', 'providers/*', 'plugins/*', 'distribution', 'sdk', 'test', 'bench', 'examples/*'];
const tsFiles = workspaces.flatMap((w) => [`${w}/src/**/*.ts`, `${w}/test/**/*.ts`]);
// The `test` workspace keeps its end-to-end tests in test/src; they are tests, not a module boundary.
const testFiles = ['*/test/**/*.ts', '*/*/test/**/*.ts', 'test/src/**/*.ts'];

export default defineConfig(
  globalIgnores(['**/dist/', '**/node_modules/', '**/*.d.ts']),
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },
  {
    files: tsFiles,
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's top-level test()/it()/describe() (and .skip/.todo/.only) return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'skip', 'todo', 'only'] }] },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/parameter-properties': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Same convention as tsc's noUnusedLocals/noUnusedParameters: a leading underscore marks a deliberately unused name.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `async` without `await` is how this codebase implements Promise-returning interfaces: a throw becomes a rejection.
      '@typescript-eslint/require-await': 'off',
      // Passing on a caught `unknown` (`catch (err) { return Promise.reject(err) }`) invents no non-Error reason.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // A closure may read a binding before its one assignment (Gateway: system events dispatch before the pipeline exists).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'List named exports (STYLE.md: explicit public surface).' },
        // The allow-list above also matches TestContext#test (same name, same module): a subtest must be awaited.
        {
          selector: "ExpressionStatement > CallExpression[callee.type='MemberExpression'][callee.property.name='test'][callee.object.name!=/^(test|it|describe|suite)$/]",
          message: 'Await the subtest (`await t.test(…)`): node:test cancels subtests still running when their parent ends.',
        },
      ],
    },
  },
  {
    files: testFiles,
    rules: {
      // Tests read fields of parsed JSON (`JSON.parse(reply.body).body`) to assert on them; typing each one is noise.
      // Calling or returning an `any` stays an error: that is a helper's boundary, which must be typed.
      // (no-floating-promises is never relaxed; no-non-null-assertion is not in recommendedTypeChecked, so `x!` is allowed.)
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
