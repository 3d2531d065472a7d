// jest runs in ESM mode because fast-check and the BPMN stack ship ESM only (see ../shared/DESIGN.md);
// the build itself emits CommonJS, which Node 20 runs as it can require() those packages.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: { module: 'ESNext', moduleResolution: 'bundler', isolatedModules: true, sourceMap: true } }],
  },
  testTimeout: 60000,
};
