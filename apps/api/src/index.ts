export { createApp } from './app.factory';
