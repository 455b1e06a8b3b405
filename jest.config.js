// Jest runs the TypeScript sources as native ESM (ts-jest useESM); the
// simulators in test-support/ are plain .mjs and load without a transform.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  // One temporary folder per test run, removed at the end (test-support/temp.mjs).
  globalSetup: '<rootDir>/test-support/jest-setup.mjs',
  globalTeardown: '<rootDir>/test-support/jest-teardown.mjs',
  testTimeout: 30000,
  verbose: false
}
