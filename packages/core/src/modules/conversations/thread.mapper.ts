import type { AuditEntry, Message as MessageDto, ThreadDetail, ThreadSummary } from '@desk/contracts';
import type { Agent } from '../agents/agent.entity';
import type { AuditEvent } from '../audit/audit-event.entity';
import type { Message } from './message.entity';
import type { Thread } from './thread.entity';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

const agentRef = (a: Agent | null | undefined) =>
  a ? { id: a.id, name: a.name, email: a.email, role: a.role, availability: a.availability } : null;

/** Needs `contact` and `assignee` loaded (and `mergedIntoThread` for a detail's number). */
export function toThreadSummary(t: Thread): ThreadSummary {
  return {
    id: t.id,
    number: t.number,
    subject: t.subject,
    preview: t.preview,
    channel: t.channel,
    inboxId: t.inboxId,
    status: t.status,
    priority: t.priority,
    tags: t.tags,
    contact: { id: t.contact.id, name: t.contact.name, primaryEmail: t.contact.primaryEmail },
    assignee: agentRef(t.assignee),
    teamId: t.teamId,
    lastMessageAt: iso(t.lastMessageAt),
    lastCustomerMessageAt: iso(t.lastCustomerMessageAt),
    lastAgentMessageAt: iso(t.lastAgentMessageAt),
    slaDueAt: iso(t.slaDueAt),
    version: t.version,
    createdAt: t.createdAt.toISOString(),
  };
}

export function toThreadDetail(t: Thread): ThreadDetail {
  const repeat = t.flags?.repeatContact as { count: number; windowDays: number } | undefined;
  return {
    ...toThreadSummary(t),
    linkedThreadId: t.linkedThreadId,
    resolvedAt: iso(t.resolvedAt),
    mergedIntoThreadId: t.mergedIntoThreadId ?? null,
    mergedIntoThreadNumber: t.mergedIntoThread?.number ?? null,
    flags: repeat ? { repeatContact: { count: repeat.count, windowDays: repeat.windowDays } } : {},
  };
}

/** Needs `attachments`, `contact` and `authorAgent` loaded. */
export function toMessageDto(m: Message): MessageDto {
  const author =
    m.direction === 'inbound'
      ? { kind: 'contact' as const, id: m.contactId, name: m.contact?.name ?? null }
      : m.authorAgentId
        ? { kind: 'agent' as const, id: m.authorAgentId, name: m.authorAgent?.name ?? null }
        : { kind: 'system' as const, id: null, name: null };
  return {
    id: m.id,
    threadId: m.threadId,
    direction: m.direction,
    channel: m.channel,
    author,
    subject: m.subject,
    bodyText: m.bodyText,
    visibleText: m.visibleText,
    bodyHtml: m.bodyHtml,
    isAutomatic: m.isAutomatic,
    isPublic: m.isPublic,
    deliveryState: m.deliveryState,
    deliveryError: m.deliveryError,
    attachments: (m.attachments ?? []).map((a) => ({
      id: a.id,
      filename: a.filename,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      inline: a.isInline,
    })),
    createdAt: m.createdAt.toISOString(),
  };
}

export function toAuditEntry(e: AuditEvent, names: Map<string, string>): AuditEntry {
  return {
    id: e.id,
    action: e.action,
    actor: { kind: e.actorKind, id: e.actorAgentId, name: e.actorAgentId ? (names.get(e.actorAgentId) ?? null) : null },
    reason: e.reason,
    data: e.data,
    createdAt: e.createdAt.toISOString(),
  };
}
