// Shared jest preset for the Node packages: ts-jest on TypeScript 5.9, node environment.
// Projects "unit" (*.spec.ts) and "integration" (*.int-spec.ts, real Postgres and Redis) are
// built by `projects()` so a package opts into integration tests by giving a global setup.
const path = require('node:path');

function base(rootDir) {
  return {
    rootDir,
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(rootDir, 'tsconfig.json'), isolatedModules: true, diagnostics: false }],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
  };
}

function projects(rootDir, { integrationSetup, integrationTeardown } = {}) {
  const list = [{ ...base(rootDir), displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] }];
  if (integrationSetup) {
    list.push({
      ...base(rootDir),
      displayName: 'integration',
      testMatch: ['<rootDir>/src/**/*.int-spec.ts', '<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: integrationSetup,
      globalTeardown: integrationTeardown,
      setupFilesAfterEnv: [path.join(__dirname, 'integration-timeout.js')],
    });
  }
  return list;
}

module.exports = { base, projects };
