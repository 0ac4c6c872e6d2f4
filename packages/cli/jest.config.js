const path = require('node:path');
const { projects } = require('@desk/config/jest');
module.exports = {
  projects: projects(__dirname, {
    integrationSetup: path.join(__dirname, 'test/global-setup.js'),
    integrationTeardown: path.join(__dirname, 'test/global-teardown.js'),
  }),
};
