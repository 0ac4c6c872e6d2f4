export * from './databases';
export * from './global-setup';
export * from './test-env';
export * from './factories';
export * from './capture-relay';
export * from './bench-kit';
