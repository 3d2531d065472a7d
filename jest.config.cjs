// jest runs in ESM mode because fast-check and the BPMN stack ship ESM only (see ../shared/DESIGN.md);
// the build itself emits CommonJS, which Node 20 runs as it can require() those packages.
const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { module: 'ESNext', moduleResolution: 'bundler', isolatedModules: true, sourceMap: true } }],
  },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // Jest's default on a 2-core machine is one worker, which leaves a core idle for the whole run.
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'default', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/crash/'] },
    // `ifw serve` SIGKILLed under load and restarted, on both store modes at once (docs/crash-test.md).
    { ...base, displayName: 'crash', testMatch: ['<rootDir>/test/crash/**/*.test.ts'] },
  ],
};
