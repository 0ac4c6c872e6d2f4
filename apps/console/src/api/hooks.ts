import type { Me, MessagePage, ThreadDetail, ThreadPage, UpdateThreadRequest } from '@desk/contracts';
import type { LinkIdentityRequest, MergeContactsRequest, UnmergeContactsRequest } from '@desk/contracts';
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

export function useMergeSuggestions(contactId: string) {
  return useQuery({ queryKey: keys.mergeSuggestions(contactId), queryFn: ({ signal }) => api.mergeSuggestions(contactId, signal) });
}

export function useContactMerges(contactId: string) {
  return useQuery({ queryKey: keys.contactMerges(contactId), queryFn: ({ signal }) => api.contactMerges(contactId, signal) });
}

export function useEmailSuggestions(threadId: string, enabled: boolean) {
  return useQuery({ queryKey: keys.emailSuggestions(threadId), queryFn: ({ signal }) => api.emailSuggestions(threadId, signal), enabled });
}

/**
 * Linking, merging and unmerging change who a thread belongs to: the contacts (their identities,
 * suggestions and merges live under the contact key), every cached thread and every list.
 */
function useAfterContactChange() {
  const qc = useQueryClient();
  return (contactIds: string[]) => {
    for (const id of contactIds) void qc.invalidateQueries({ queryKey: keys.contact(id) });
    void qc.invalidateQueries({ queryKey: keys.contactThreadLists });
    void qc.invalidateQueries({ queryKey: keys.threadDetails });
    void qc.invalidateQueries({ queryKey: keys.threadLists });
  };
}

export function useLinkIdentity(contactId: string) {
  const after = useAfterContactChange();
  return useMutation({
    mutationFn: (body: LinkIdentityRequest) => api.linkIdentity(contactId, body),
    onSuccess: () => after([contactId]),
  });
}

export function useMergeContacts(contactId: string) {
  const after = useAfterContactChange();
  return useMutation({
    mutationFn: (body: MergeContactsRequest) => api.mergeContacts(contactId, body),
    onSuccess: (r) => after([contactId, r.mergedContactId]),
  });
}

export function useUnmergeContacts(contactId: string) {
  const after = useAfterContactChange();
  return useMutation({
    mutationFn: (body: UnmergeContactsRequest) => api.unmergeContacts(contactId, body),
    onSuccess: (r) => after([contactId, r.mergedContactId]),
  });
}

export function useAgents() {
  return useQuery({ queryKey: keys.agents, queryFn: ({ signal }) => api.agents(signal), staleTime: 60_000 });
}

/** Every canned reply the agent may use (filtered in the picker: the list is small). */
export function useCannedReplies() {
  return useQuery({ queryKey: keys.cannedReplies, queryFn: ({ signal }) => api.cannedReplies(undefined, signal), staleTime: 60_000 });
}

/** The bell: the latest notifications and the unread count; kept live by `notification.created`. */
export function useNotifications() {
  return useQuery({ queryKey: keys.notifications, queryFn: ({ signal }) => api.notifications(undefined, signal) });
}
