import type { Contact, Message, ThreadDetail, ThreadSummary } from '@desk/contracts';

let n = 0;
function uuid(): string {
  n += 1;
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function threadSummary(overrides: Partial<ThreadSummary> = {}): ThreadSummary {
  const number = 1000 + n;
  return {
    id: uuid(),
    number,
    subject: `Subject ${number}`,
    preview: 'preview text',
    channel: 'email',
    inboxId: uuid(),
    status: 'open',
    priority: 'normal',
    tags: [],
    contact: { id: uuid(), name: `Customer ${number}`, primaryEmail: `c${number}@example.com` },
    assignee: null,
    teamId: null,
    lastMessageAt: '2025-01-01T10:00:00.000Z',
    lastCustomerMessageAt: '2025-01-01T10:00:00.000Z',
    lastAgentMessageAt: null,
    slaDueAt: null,
    version: 1,
    createdAt: '2025-01-01T09:00:00.000Z',
    ...overrides,
  };
}

/** A thread as GET /api/threads/:id answers. */
export function threadDetail(overrides: Partial<ThreadDetail> = {}): ThreadDetail {
  return { ...threadSummary(), linkedThreadId: null, resolvedAt: null, mergedIntoThreadId: null, mergedIntoThreadNumber: null, flags: {}, ...overrides };
}

export function message(overrides: Partial<Message> = {}): Message {
  return {
    id: uuid(),
    threadId: uuid(),
    direction: 'inbound',
    channel: 'email',
    author: { kind: 'contact', id: null, name: 'Ada Customer' },
    subject: null,
    bodyText: 'Hello',
    visibleText: null,
    bodyHtml: null,
    isAutomatic: false,
    isPublic: true,
    deliveryState: 'received',
    deliveryError: null,
    attachments: [],
    createdAt: '2025-01-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A contact as GET /api/contacts/:id answers, with its identities. */
export function contact(overrides: Partial<Contact> = {}): Contact {
  const id = uuid();
  const email = overrides.primaryEmail ?? `contact${n}@example.com`;
  return {
    id,
    name: `Contact ${n}`,
    primaryEmail: email,
    tags: [],
    identities: email ? [{ id: uuid(), kind: 'email', value: email, displayName: null }] : [],
    createdAt: '2025-01-01T09:00:00.000Z',
    ...overrides,
  };
}
