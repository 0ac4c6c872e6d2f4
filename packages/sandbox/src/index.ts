export * from './events';
export * from './sandbox';
