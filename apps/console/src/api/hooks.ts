import type { Me, MessagePage, ThreadDetail, ThreadPage, UpdateThreadRequest } from '@desk/contracts';
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { api, type ThreadFilters } from './endpoints';
import { keys } from './keys';

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: ({ signal }) => api.me(signal), staleTime: 5 * 60_000, retry: false });
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.login,
    meta: { skipAuthRedirect: true },
    onSuccess: (me) => qc.setQueryData<Me | null>(keys.me, me),
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: api.logout,
    onSettled: () => {
      // Whatever the server said, this tab forgets everything it knew about the session.
      qc.clear();
      qc.setQueryData<Me | null>(keys.me, null);
    },
  });
}

export function useThreadList(filters: ThreadFilters) {
  return useInfiniteQuery({
    queryKey: keys.threadList(filters),
    queryFn: ({ pageParam, signal }) => api.threads(filters, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: ThreadPage) => last.nextCursor ?? undefined,
  });
}

export function useThread(id: string) {
  return useQuery({ queryKey: keys.thread(id), queryFn: ({ signal }) => api.thread(id, signal) });
}

/** Pages come newest first: page 0 is the latest messages, each next page is older. */
export function useMessages(threadId: string) {
  return useInfiniteQuery({
    queryKey: keys.messages(threadId),
    queryFn: ({ pageParam, signal }) => api.messages(threadId, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: MessagePage) => last.nextCursor ?? undefined,
  });
}

export type MessagesData = InfiniteData<MessagePage, string | undefined>;

export function useUpdateThread(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateThreadRequest) => api.updateThread(id, body),
    onSuccess: (thread) => {
      qc.setQueryData<ThreadDetail>(keys.thread(id), thread);
      void qc.invalidateQueries({ queryKey: keys.threadLists });
      void qc.invalidateQueries({ queryKey: keys.contactThreadLists });
      void qc.invalidateQueries({ queryKey: keys.audit(id) });
    },
  });
}

export function useContact(id: string | undefined) {
  return useQuery({
    queryKey: keys.contact(id ?? ''),
    queryFn: ({ signal }) => api.contact(id ?? '', signal),
    enabled: Boolean(id),
  });
}

export function useContactThreads(id: string | undefined) {
  return useInfiniteQuery({
    queryKey: keys.contactThreads(id ?? ''),
    queryFn: ({ pageParam, signal }) => api.contactThreads(id ?? '', pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: ThreadPage) => last.nextCursor ?? undefined,
    enabled: Boolean(id),
  });
}

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: ({ signal }) => api.agents(signal), staleTime: 60_000 });
}
