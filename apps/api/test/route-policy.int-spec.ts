import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { IS_PUBLIC, MIN_ROLE } from '../src/auth/access.decorators';
import { startApi, type Harness } from './harness';

/** Every route declares who may call it, and every non-public one refuses a caller without a session. */
describe('route access policy', () => {
  let h: Harness;
  const routes: Array<{ method: string; path: string; isPublic: boolean; minRole?: string; name: string }> = [];

  beforeAll(async () => {
    h = await startApi();
    const discovery = h.app.get(DiscoveryService);
    const scanner = h.app.get(MetadataScanner);
    const reflector = h.app.get(Reflector);
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as object;
      const cls = wrapper.metatype as object;
      const base = String(Reflect.getMetadata(PATH_METADATA, cls) ?? '');
      for (const name of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const handler = (instance as Record<string, unknown>)[name] as object;
        const sub = Reflect.getMetadata(PATH_METADATA, handler);
        if (sub === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number]!;
        const path = `/${[base, String(sub)].filter((s) => s && s !== '/').join('/')}`.replace(/\/+/g, '/');
        routes.push({
          method,
          path,
          name: `${(cls as { name: string }).name}.${name}`,
          isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler as never, cls as never]) ?? false,
          minRole: reflector.getAllAndOverride<string>(MIN_ROLE, [handler as never, cls as never]),
        });
      }
    }
  });
  afterAll(() => h.close());

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain('GET /api/threads');
  });

  it('has a policy on every route', () => {
    const missing = routes.filter((r) => !r.isPublic && !r.minRole).map((r) => r.name);
    expect(missing).toEqual([]);
  });

  it('keeps public only login, health, metrics (own token check) and public channel endpoints', () => {
    const allowed = [/^POST \/api\/auth\/login$/, /^GET \/health$/, /^GET \/metrics$/, /^(GET|POST) \/(public|webhooks)\//];
    const unexpected = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`).filter((r) => !allowed.some((a) => a.test(r)));
    expect(unexpected).toEqual([]);
  });

  it('answers 401 to every non-public route without a session', async () => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    const results: string[] = [];
    for (const r of routes.filter((x) => !x.isPublic)) {
      const path = r.path.replace(/:[a-zA-Z]+/g, uuid);
      const res = await (h.http() as unknown as Record<string, (p: string) => Promise<{ status: number }>>)[r.method.toLowerCase()]!(path);
      if (res.status !== 401) results.push(`${r.method} ${path} -> ${res.status}`);
    }
    expect(results).toEqual([]);
  });
});
