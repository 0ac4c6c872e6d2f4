module.exports = async () => require('@desk/testing').globalSetup();
