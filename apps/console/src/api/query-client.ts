import type { Me } from '@desk/contracts';
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from './client';
import { keys } from './keys';

/**
 * Any 401 means the session is gone. Clearing the `me` query is enough: the auth guard sees
 * "no agent" and sends the browser to the login page, remembering where it was.
 */
export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error) => {
        if (isApiError(error) && error.status === 401) qc.setQueryData<Me | null>(keys.me, null);
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) => {
        if (mutation.meta?.skipAuthRedirect) return;
        if (isApiError(error) && error.status === 401) qc.setQueryData<Me | null>(keys.me, null);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: true,
        retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
  return qc;
}
