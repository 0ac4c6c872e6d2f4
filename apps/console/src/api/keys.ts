import type { ThreadFilters } from './endpoints';

/** Query keys in one place so realtime updates and mutations hit exactly what the screens read. */
export const keys = {
  me: ['me'] as const,
  threadLists: ['threads'] as const,
  threadList: (filters: ThreadFilters) => ['threads', filters] as const,
  thread: (id: string) => ['thread', id] as const,
  messages: (threadId: string) => ['messages', threadId] as const,
  audit: (threadId: string) => ['audit', threadId] as const,
  contact: (id: string) => ['contact', id] as const,
  contactThreadLists: ['contact-threads'] as const,
  contactThreads: (id: string) => ['contact-threads', id] as const,
  agents: ['agents'] as const,
  teams: ['teams'] as const,
  inboxes: ['inboxes'] as const,
  supervisor: ['supervisor'] as const,
  stalled: (sort: string) => ['supervisor', 'stalled', sort] as const,
  agentsLoad: ['supervisor', 'agents'] as const,
  search: (q: string) => ['search', q] as const,
  quarantined: ['inbound-events', 'quarantined'] as const,
  inboundEvent: (id: string) => ['inbound-events', id] as const,
};
