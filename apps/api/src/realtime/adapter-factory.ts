import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '@desk/core';
import { RedisIoAdapter } from './redis-io.adapter';

export const RealtimeIoAdapterFactory = {
  create(app: INestApplicationContext, config: AppConfig) {
    return new RedisIoAdapter(app, config);
  },
};
