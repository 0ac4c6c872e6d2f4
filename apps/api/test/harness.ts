import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import type { Agent } from '@desk/core';
import { createApp } from '../src/app.factory';

export interface Harness {
  env: TestEnv;
  app: NestExpressApplication;
  ds: DataSource;
  f: Factories;
  http: () => ReturnType<typeof request>;
  /** Logs the agent in and returns its session cookie header. */
  login(agent: Agent, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The real api on a fresh database and Redis prefix; call close() in afterAll. */
export async function startApi(overrides: Record<string, string> = {}): Promise<Harness> {
  const env = await createTestEnv(overrides);
  const app = await createApp(env.config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DataSource);
  const http = () => request(app.getHttpServer());
  return {
    env,
    app,
    ds,
    f: new Factories(ds),
    http,
    async login(agent, password = Factories.PASSWORD) {
      const res = await http().post('/api/auth/login').send({ email: agent.email, password });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
      if (!cookie) throw new Error('no session cookie');
      return cookie.split(';')[0]!;
    },
    async close() {
      await app.close();
      await env.cleanup();
    },
  };
}
