import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // The action talks through @actions/core; console output would bypass masking.
      'no-console': 'error',
      // Sanitizers match control characters on purpose.
      'no-control-regex': 'off'
    }
  },
  { files: ['scripts/**', 'test-support/**', '__tests__/**'], rules: { 'no-console': 'off' } }
)
