// Only the end-to-end project: real api + worker + Postgres + Redis + SMTP + Chromium.
const path = require('node:path');
const { base } = require('@desk/config/jest');
module.exports = {
  projects: [
    {
      ...base(__dirname),
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: path.join(__dirname, 'test/global-setup.js'),
      globalTeardown: path.join(__dirname, 'test/global-teardown.js'),
      setupFilesAfterEnv: [path.join(path.dirname(require.resolve('@desk/config/jest')), 'integration-timeout.js')],
    },
  ],
};
