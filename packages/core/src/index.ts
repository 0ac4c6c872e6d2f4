export * from './platform/config/config';
export * from './platform/config/config.module';
export * from './platform/database/entities';
export * from './platform/database/data-source';
