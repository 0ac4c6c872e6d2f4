module.exports = async () => require('@desk/testing').globalTeardown();
