import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { vi } from 'vitest';
import { createQueryClient } from '../api/query-client';
import { Providers } from '../Providers';

export function renderAt(path: string, routes: { path: string; element: ReactElement }[]) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  const result = render(
    <Providers client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          {routes.map((r) => (
            <Route key={r.path} path={r.path} element={r.element} />
          ))}
          <Route path="*" element={<div data-testid="location-fallback" />} />
        </Routes>
      </MemoryRouter>
    </Providers>,
  );
  return { ...result, client };
}

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

type Handler = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

/** Replaces fetch with a router over path → handler; unknown paths answer 404 so tests notice. */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: { url: URL; init: RequestInit | undefined }[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://localhost');
    calls.push({ url, init });
    const handler = routes[`${init?.method ?? 'GET'} ${url.pathname}`];
    if (!handler) return jsonResponse(404, { statusCode: 404, error: 'Not Found', message: `no mock for ${url.pathname}` });
    return handler(url, init);
  });
  return { spy, calls };
}
