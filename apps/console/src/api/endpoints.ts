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
import {
  ContactMerge,
  EmailSuggestions,
  LinkedIdentity,
  MergeResult,
  MergeSuggestion,
  type LinkIdentityRequest,
  type MergeContactsRequest,
  type UnmergeContactsRequest,
} from '@desk/contracts';
import {
  BusinessCalendarDto,
  InboxSettingsView,
  SlaPolicyDto,
  type UpdateInboxSettingsRequest,
  type BusinessCalendarInput,
  type CreateTeamRequest,
  type ImportHolidaysRequest,
  type SlaPolicyInput,
  type UpdateAgentRequest,
  type UpdateInboxRequest,
} from '@desk/contracts';
import { MergeThreadResult, SplitThreadResult, type MergeThreadRequest, type SplitThreadRequest } from '@desk/contracts';
import {
  CannedReply,
  MarkNotificationsReadResponse,
  NotificationPage,
  type CreateCannedReplyRequest,
  type MarkNotificationsReadRequest,
  type UpdateCannedReplyRequest,
} from '@desk/contracts';
import { UploadedAttachment } from '@desk/contracts';
import { z } from 'zod';
import { ApiError, request } from './client';
import { uploadFile, type UploadOptions } from './upload';

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
  splitThread: (id: string, body: SplitThreadRequest) =>
    request(`/api/threads/${encodeURIComponent(id)}/split`, SplitThreadResult, { method: 'POST', body }),
  mergeThread: (id: string, body: MergeThreadRequest) =>
    request(`/api/threads/${encodeURIComponent(id)}/merge`, MergeThreadResult, { method: 'POST', body }),
  messages: (threadId: string, cursor?: string, signal?: AbortSignal) =>
    request(`/api/threads/${encodeURIComponent(threadId)}/messages`, MessagePage, { query: { cursor, limit: 50 }, signal }),
  audit: (threadId: string, signal?: AbortSignal) =>
    request(`/api/threads/${encodeURIComponent(threadId)}/audit`, z.array(AuditEntry), { signal }),
  contacts: (q: string, cursor?: string, signal?: AbortSignal) => request('/api/contacts', ContactPage, { query: { q, cursor }, signal }),
  contact: (id: string, signal?: AbortSignal) => request(`/api/contacts/${encodeURIComponent(id)}`, Contact, { signal }),
  contactThreads: (id: string, cursor?: string, signal?: AbortSignal) =>
    request(`/api/contacts/${encodeURIComponent(id)}/threads`, ThreadPage, { query: { cursor }, signal }),
  /** 409 when another contact owns the identity: its rawBody is an IdentityConflict naming the owner. */
  linkIdentity: (contactId: string, body: LinkIdentityRequest) =>
    request(`/api/contacts/${encodeURIComponent(contactId)}/identities`, LinkedIdentity, { method: 'POST', body }),
  mergeContacts: (contactId: string, body: MergeContactsRequest) =>
    request(`/api/contacts/${encodeURIComponent(contactId)}/merge`, MergeResult, { method: 'POST', body }),
  unmergeContacts: (contactId: string, body: UnmergeContactsRequest) =>
    request(`/api/contacts/${encodeURIComponent(contactId)}/unmerge`, MergeResult, { method: 'POST', body }),
  mergeSuggestions: (contactId: string, signal?: AbortSignal) =>
    request(`/api/contacts/${encodeURIComponent(contactId)}/merge-suggestions`, z.array(MergeSuggestion), { signal }),
  contactMerges: (contactId: string, signal?: AbortSignal) =>
    request(`/api/contacts/${encodeURIComponent(contactId)}/merges`, z.array(ContactMerge), { signal }),
  emailSuggestions: (threadId: string, signal?: AbortSignal) =>
    request(`/api/threads/${encodeURIComponent(threadId)}/email-suggestions`, EmailSuggestions, { signal }),
  agents: (signal?: AbortSignal) => request('/api/agents', z.array(Agent), { signal }),
  teams: (signal?: AbortSignal) => request('/api/teams', z.array(Team), { signal }),
  inboxes: (signal?: AbortSignal) => request('/api/inboxes', z.array(Inbox), { signal }),
  /** One file for a reply or note (multipart, with progress); send its id in `attachmentIds`. */
  uploadAttachment: (file: File, options?: UploadOptions) => uploadFile('/api/attachments', file, UploadedAttachment, options),
  /** Where an agent downloads an attachment (the server answers with Content-Disposition: attachment). */
  attachmentUrl: (id: string) => `/api/attachments/${encodeURIComponent(id)}`,
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
  cannedReplies: (q?: string, signal?: AbortSignal) => request('/api/canned-replies', z.array(CannedReply), { query: { q }, signal }),
  createCannedReply: (body: CreateCannedReplyRequest) => request('/api/canned-replies', CannedReply, { method: 'POST', body }),
  updateCannedReply: (id: string, body: UpdateCannedReplyRequest) =>
    request(`/api/canned-replies/${encodeURIComponent(id)}`, CannedReply, { method: 'PATCH', body }),
  deleteCannedReply: (id: string) => request(`/api/canned-replies/${encodeURIComponent(id)}`, null, { method: 'DELETE' }),
  notifications: (cursor?: string, signal?: AbortSignal) => request('/api/notifications', NotificationPage, { query: { cursor }, signal }),
  markNotificationsRead: (body: MarkNotificationsReadRequest) =>
    request('/api/notifications/read', MarkNotificationsReadResponse, { method: 'POST', body }),
  updateInbox: (id: string, body: UpdateInboxRequest) => request(`/api/inboxes/${encodeURIComponent(id)}`, Inbox, { method: 'PATCH', body }),
  inboxSettings: (id: string, signal?: AbortSignal) => request(`/api/inboxes/${encodeURIComponent(id)}/settings`, InboxSettingsView, { signal }),
  updateInboxSettings: (id: string, body: UpdateInboxSettingsRequest) =>
    request(`/api/inboxes/${encodeURIComponent(id)}/settings`, InboxSettingsView, { method: 'PUT', body }),
  updateAgent: (id: string, body: UpdateAgentRequest) => request(`/api/agents/${encodeURIComponent(id)}`, Agent, { method: 'PATCH', body }),
  createTeam: (body: CreateTeamRequest) => request('/api/teams', Team, { method: 'POST', body }),
  slaCalendars: (signal?: AbortSignal) => request('/api/sla/calendars', z.array(BusinessCalendarDto), { signal }),
  createSlaCalendar: (body: BusinessCalendarInput) => request('/api/sla/calendars', BusinessCalendarDto, { method: 'POST', body }),
  updateSlaCalendar: (id: string, body: BusinessCalendarInput) =>
    request(`/api/sla/calendars/${encodeURIComponent(id)}`, BusinessCalendarDto, { method: 'PUT', body }),
  importHolidays: (id: string, body: ImportHolidaysRequest) =>
    request(`/api/sla/calendars/${encodeURIComponent(id)}/holidays/import`, BusinessCalendarDto, { method: 'POST', body }),
  slaPolicies: (signal?: AbortSignal) => request('/api/sla/policies', z.array(SlaPolicyDto), { signal }),
  createSlaPolicy: (body: SlaPolicyInput) => request('/api/sla/policies', SlaPolicyDto, { method: 'POST', body }),
  updateSlaPolicy: (id: string, body: SlaPolicyInput) =>
    request(`/api/sla/policies/${encodeURIComponent(id)}`, SlaPolicyDto, { method: 'PUT', body }),
  deleteSlaPolicy: (id: string) => request(`/api/sla/policies/${encodeURIComponent(id)}`, null, { method: 'DELETE' }),
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
