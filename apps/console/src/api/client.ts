import { ErrorBody } from '@desk/contracts';
import type { z } from 'zod';

/** Every failed request surfaces as an ApiError: the HTTP status and the server's message. */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ErrorBody | null;
  /** The whole JSON answer, for errors that carry more than ErrorBody (a 409 with newMessages). */
  readonly rawBody: unknown;

  constructor(status: number, message: string, body: ErrorBody | null = null, rawBody: unknown = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.rawBody = rawBody;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

type Query = Record<string, string | number | readonly string[] | null | undefined>;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export function buildUrl(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorFrom(res: Response): Promise<ApiError> {
  let parsed: ErrorBody | null = null;
  let json: unknown = null;
  try {
    json = await res.json();
    const result = ErrorBody.safeParse(json);
    if (result.success) parsed = result.data;
  } catch {
    // not JSON (a proxy error page, an empty 429): fall back to a message of our own
  }
  const fallback =
    res.status === 429
      ? 'Too many attempts. Wait a moment and try again.'
      : res.status >= 500
        ? 'The server had a problem. Try again in a moment.'
        : `Request failed (${res.status})`;
  return new ApiError(res.status, parsed?.message ?? fallback, parsed, json);
}

/**
 * Sends a same-origin request with the session cookie and validates the answer with a contracts
 * schema, so a drifting API fails loudly here instead of deep inside a component.
 */
export async function request<S extends z.ZodType>(path: string, schema: S, options?: RequestOptions): Promise<z.infer<S>>;
export async function request(path: string, schema: null, options?: RequestOptions): Promise<void>;
export async function request(path: string, schema: z.ZodType | null, options: RequestOptions = {}): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, options.query), {
      method: options.method ?? 'GET',
      credentials: 'include',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Cannot reach the server. Check your connection.');
  }
  if (!res.ok) throw await errorFrom(res);
  if (schema === null || res.status === 204) return undefined;
  const json: unknown = await res.json();
  const result = schema.safeParse(json);
  if (!result.success) {
    console.error(`Unexpected response from ${path}`, result.error);
    throw new ApiError(res.status, 'The server sent an answer the console does not understand.');
  }
  return result.data;
}
