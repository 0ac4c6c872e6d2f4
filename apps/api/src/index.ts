export { createApp } from './app.factory';
export { checkDependencies, configOrDie } from './bootstrap';
