import {
  Agent,
  AgentLoadList,
  InboundEventDetail,
  InboundEventPage,
  MessageConflict,
  RetryInboundEventResponse,
  ReassignResult,
  SearchResults,
  StalledList,
  Message,
  type CreateAgentRequest,
  type CreateInboxRequest,
  type CreateMessageRequest,
  type ReassignRequest,
  type StalledSort,
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
  /** 409 → ApiError whose `conflict` holds the messages that arrived after `seenVersion`. */
  sendMessage: async (threadId: string, body: CreateMessageRequest): Promise<Message> => {
    try {
      return await request(`/api/threads/${encodeURIComponent(threadId)}/messages`, Message, { method: 'POST', body });
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const parsed = MessageConflict.safeParse(e.rawBody);
        if (parsed.success) throw new CollisionError(parsed.data.message, parsed.data.newMessages);
      }
      throw e;
    }
  },
  stalled: (sort: StalledSort, signal?: AbortSignal) => request('/api/supervisor/stalled', StalledList, { query: { sort }, signal }),
  agentsLoad: (signal?: AbortSignal) => request('/api/supervisor/agents', AgentLoadList, { signal }),
  reassign: (body: ReassignRequest) => request('/api/supervisor/reassign', ReassignResult, { method: 'POST', body }),
  search: (q: string, signal?: AbortSignal) => request('/api/search', SearchResults, { query: { q }, signal }),
  createInbox: (body: CreateInboxRequest) => request('/api/inboxes', Inbox, { method: 'POST', body }),
  createAgent: (body: CreateAgentRequest) => request('/api/agents', Agent, { method: 'POST', body }),
  quarantined: (cursor?: string, signal?: AbortSignal) =>
    request('/api/inbound-events', InboundEventPage, { query: { status: 'quarantined', cursor }, signal }),
  inboundEvent: (id: string, signal?: AbortSignal) => request(`/api/inbound-events/${encodeURIComponent(id)}`, InboundEventDetail, { signal }),
  retryInboundEvent: (id: string) =>
    request(`/api/inbound-events/${encodeURIComponent(id)}/retry`, RetryInboundEventResponse, { method: 'POST' }),
};

/** The reply was held: someone wrote in the thread after the version the agent saw. */
export class CollisionError extends Error {
  readonly newMessages: Message[];
  constructor(message: string, newMessages: Message[]) {
    super(message);
    this.name = 'CollisionError';
    this.newMessages = newMessages;
  }
}
