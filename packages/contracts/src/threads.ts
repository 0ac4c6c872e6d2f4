import { z } from 'zod';
import { ChannelKind, DeliveryState, IdentityKind, MessageDirection, Priority, ThreadStatus } from './enums';
import { AgentSummary } from './auth';
import { page } from './common';

export const ContactRef = z.object({ id: z.uuid(), name: z.string().nullable(), primaryEmail: z.string().nullable() });
export type ContactRef = z.infer<typeof ContactRef>;

export const ThreadSummary = z.object({
  id: z.uuid(),
  number: z.number().int(),
  subject: z.string().nullable(),
  preview: z.string().nullable(),
  channel: ChannelKind,
  inboxId: z.uuid(),
  status: ThreadStatus,
  priority: Priority,
  tags: z.array(z.string()),
  contact: ContactRef,
  assignee: AgentSummary.nullable(),
  teamId: z.uuid().nullable(),
  lastMessageAt: z.iso.datetime().nullable(),
  lastCustomerMessageAt: z.iso.datetime().nullable(),
  lastAgentMessageAt: z.iso.datetime().nullable(),
  slaDueAt: z.iso.datetime().nullable(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
});
export type ThreadSummary = z.infer<typeof ThreadSummary>;

export const ThreadPage = page(ThreadSummary);
export type ThreadPage = z.infer<typeof ThreadPage>;

export const ThreadView = z.enum(['all', 'mine', 'unassigned', 'my_teams', 'at_risk', 'breached']);
export type ThreadView = z.infer<typeof ThreadView>;

const csv = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item)).optional();

export const ListThreadsQuery = z.object({
  view: ThreadView.default('all'),
  status: csv(ThreadStatus),
  channel: csv(ChannelKind),
  priority: csv(Priority),
  inboxId: z.uuid().optional(),
  tag: z.string().max(100).optional(),
  contactId: z.uuid().optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListThreadsQuery = z.infer<typeof ListThreadsQuery>;

export const Attachment = z.object({
  id: z.uuid(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
  inline: z.boolean(),
});
export type Attachment = z.infer<typeof Attachment>;

export const Message = z.object({
  id: z.uuid(),
  threadId: z.uuid(),
  direction: MessageDirection,
  channel: ChannelKind,
  author: z.object({ kind: z.enum(['contact', 'agent', 'system']), id: z.uuid().nullable(), name: z.string().nullable() }),
  subject: z.string().nullable(),
  bodyText: z.string(),
  /** The visible new part, quoted history and signature removed; bodyText keeps the original. */
  visibleText: z.string().nullable(),
  /** Sanitized on ingestion; still shown only inside a sandboxed iframe. */
  bodyHtml: z.string().nullable(),
  isAutomatic: z.boolean(),
  isPublic: z.boolean(),
  deliveryState: DeliveryState,
  deliveryError: z.string().nullable(),
  attachments: z.array(Attachment),
  createdAt: z.iso.datetime(),
});
export type Message = z.infer<typeof Message>;

export const MessagePage = page(Message);
export type MessagePage = z.infer<typeof MessagePage>;

/** Facts the domain noted on a thread; `repeatContact`: the customer's count of new threads in the window. */
export const ThreadFlags = z.object({
  repeatContact: z.object({ count: z.number().int(), windowDays: z.number().int() }).optional(),
});
export type ThreadFlags = z.infer<typeof ThreadFlags>;

export const ThreadDetail = ThreadSummary.extend({
  linkedThreadId: z.uuid().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  /** Set when the thread was merged into another; the console links there. Optional for older payloads. */
  mergedIntoThreadId: z.uuid().nullable().optional(),
  mergedIntoThreadNumber: z.number().int().nullable().optional(),
  flags: ThreadFlags.optional(),
});
export type ThreadDetail = z.infer<typeof ThreadDetail>;

export const UpdateThreadRequest = z
  .object({
    status: ThreadStatus.optional(),
    priority: Priority.optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
    assigneeId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'reason'), { message: 'nothing to change' });
export type UpdateThreadRequest = z.infer<typeof UpdateThreadRequest>;

export const ContactIdentity = z.object({
  id: z.uuid(),
  kind: IdentityKind,
  value: z.string(),
  displayName: z.string().nullable(),
});
export type ContactIdentity = z.infer<typeof ContactIdentity>;

export const Contact = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  primaryEmail: z.string().nullable(),
  tags: z.array(z.string()),
  identities: z.array(ContactIdentity),
  createdAt: z.iso.datetime(),
});
export type Contact = z.infer<typeof Contact>;

export const ContactPage = page(Contact);
export type ContactPage = z.infer<typeof ContactPage>;

export const ListContactsQuery = z.object({
  q: z.string().trim().max(200).optional(),
  cursor: z.string().min(1).max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListContactsQuery = z.infer<typeof ListContactsQuery>;

export const AuditEntry = z.object({
  id: z.string(),
  action: z.string(),
  actor: z.object({ kind: z.enum(['agent', 'system', 'contact']), id: z.uuid().nullable(), name: z.string().nullable() }),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
