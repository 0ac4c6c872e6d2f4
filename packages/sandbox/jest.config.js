const { projects } = require('@desk/config/jest');
module.exports = { projects: projects(__dirname) };
