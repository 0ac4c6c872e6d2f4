import { ProviderError } from './provider-error';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface JsonResponse {
  status: number;
  headers: Headers;
  json: unknown;
}

/**
 * One JSON request. A network failure becomes a temporary ProviderError; HTTP errors are returned
 * as they are so each network's client can read its own error format.
 */
export async function requestJson(
  fetchImpl: FetchLike,
  provider: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: init.method,
      headers: init.body === undefined ? init.headers : { 'content-type': 'application/json', ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ProviderError({ provider, status: null, classification: 'temporary', providerMessage: message, cause });
  }
  const text = await response.text().catch(() => '');
  let json: unknown = null;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
  }
  return { status: response.status, headers: response.headers, json };
}

/** Seconds from a Retry-After header (delta-seconds form only), or null. */
export function retryAfterSeconds(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value.trim());
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}
