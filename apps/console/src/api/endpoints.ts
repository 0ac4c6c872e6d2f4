import {
  Agent,
  AuditEntry,
  Contact,
  ContactPage,
  Inbox,
  Me,
  MessagePage,
  Team,
  ThreadDetail,
  ThreadPage,
  type ChannelKind,
  type LoginRequest,
  type Priority,
  type ThreadStatus,
  type ThreadView,
  type UpdateThreadRequest,
} from '@desk/contracts';
import { z } from 'zod';
import { ApiError, request } from './client';

export interface ThreadFilters {
  view: ThreadView;
  status?: ThreadStatus[];
  channel?: ChannelKind[];
  priority?: Priority[];
  inboxId?: string;
  tag?: string;
}

export const api = {
  login: (body: LoginRequest) => request('/api/auth/login', Me, { method: 'POST', body }),
  logout: () => request('/api/auth/logout', null, { method: 'POST' }),
  /** null when there is no session. */
  me: async (signal?: AbortSignal): Promise<Me | null> => {
    try {
      return await request('/api/auth/me', Me, { signal });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    }
  },
  threads: (filters: ThreadFilters, cursor?: string, signal?: AbortSignal) =>
    request('/api/threads', ThreadPage, { query: { ...filters, cursor, limit: 50 }, signal }),
  thread: (id: string, signal?: AbortSignal) => request(`/api/threads/${encodeURIComponent(id)}`, ThreadDetail, { signal }),
  updateThread: (id: string, body: UpdateThreadRequest) =>
    request(`/api/threads/${encodeURIComponent(id)}`, ThreadDetail, { method: 'PATCH', body }),
  messages: (threadId: string, cursor?: string, signal?: AbortSignal) =>
    request(`/api/threads/${encodeURIComponent(threadId)}/messages`, MessagePage, { query: { cursor, limit: 50 }, signal }),
  audit: (threadId: string, signal?: AbortSignal) =>
    request(`/api/threads/${encodeURIComponent(threadId)}/audit`, z.array(AuditEntry), { signal }),
  contacts: (q: string, cursor?: string, signal?: AbortSignal) => request('/api/contacts', ContactPage, { query: { q, cursor }, signal }),
  contact: (id: string, signal?: AbortSignal) => request(`/api/contacts/${encodeURIComponent(id)}`, Contact, { signal }),
  contactThreads: (id: string, cursor?: string, signal?: AbortSignal) =>
    request(`/api/contacts/${encodeURIComponent(id)}/threads`, ThreadPage, { query: { cursor }, signal }),
  agents: (signal?: AbortSignal) => request('/api/agents', z.array(Agent), { signal }),
  teams: (signal?: AbortSignal) => request('/api/teams', z.array(Team), { signal }),
  inboxes: (signal?: AbortSignal) => request('/api/inboxes', z.array(Inbox), { signal }),
};
