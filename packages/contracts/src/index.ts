export * from './enums';
export * from './common';
export * from './auth';
export * from './threads';
export * from './inboxes';
export * from './realtime';
export * from './health';
