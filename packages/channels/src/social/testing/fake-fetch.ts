// Test double for fetch: records each request and answers from a queue.
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export type QueuedResponse = { status: number; body: unknown; headers?: Record<string, string> } | Error;

export function fakeFetch(responses: QueuedResponse[]) {
  const calls: RecordedRequest[] = [];
  const fetchImpl = jest.fn(async (url: string, init?: RequestInit): Promise<Response> => {
    calls.push({
      url,
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const next = responses.shift();
    if (!next) throw new Error('no response queued');
    if (next instanceof Error) throw next;
    return new Response(typeof next.body === 'string' ? next.body : JSON.stringify(next.body), { status: next.status, headers: next.headers });
  });
  return { calls, fetchImpl };
}
