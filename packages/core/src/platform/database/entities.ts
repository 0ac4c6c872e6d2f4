import { Agent } from '../../modules/agents/agent.entity';
import { CannedReply } from '../../modules/canned-replies/canned-reply.entity';
import { Notification } from '../../modules/notifications/notification.entity';
import { SatisfactionResponse } from '../../modules/survey/satisfaction-response.entity';
import { AgentSession } from '../../modules/agents/agent-session.entity';
import { Team } from '../../modules/agents/team.entity';
import { AuditEvent } from '../../modules/audit/audit-event.entity';
import { AssignmentCursor } from '../../modules/assignment/assignment-cursor.entity';
import { AgentAssignmentStat } from '../../modules/assignment/agent-assignment-stat.entity';
import { Inbox } from '../../modules/channels/inbox.entity';
import { ImapCheckpoint } from '../../modules/channels/imap-checkpoint.entity';
import { XPollCheckpoint } from '../../modules/channels/x-poll-checkpoint.entity';
import { Contact } from '../../modules/contacts/contact.entity';
import { ContactIdentity } from '../../modules/contacts/contact-identity.entity';
import { Attachment } from '../../modules/conversations/attachment.entity';
import { MailMessageId } from '../../modules/conversations/mail-message-id.entity';
import { MailAwaitedId } from '../../modules/conversations/mail-awaited-id.entity';
import { Message } from '../../modules/conversations/message.entity';
import { Thread } from '../../modules/conversations/thread.entity';
import { ThreadKey } from '../../modules/conversations/thread-key.entity';
import { OutboundDelivery } from '../../modules/delivery/outbound-delivery.entity';
import { InboundEvent } from '../../modules/ingestion/inbound-event.entity';
import { BusinessCalendar } from '../../modules/sla/business-calendar.entity';
import { SlaBreach } from '../../modules/sla/sla-breach.entity';
import { SlaClock } from '../../modules/sla/sla-clock.entity';
import { SlaPolicy } from '../../modules/sla/sla-policy.entity';

export const ENTITIES = [
  Agent,
  AgentSession,
  Team,
  Inbox,
  ImapCheckpoint,
  Contact,
  ContactIdentity,
  Thread,
  Message,
  Attachment,
  MailMessageId,
  MailAwaitedId,
  InboundEvent,
  OutboundDelivery,
  BusinessCalendar,
  SlaPolicy,
  SlaClock,
  SlaBreach,
  AuditEvent,
  AssignmentCursor,
  AgentAssignmentStat,
  ThreadKey,
  XPollCheckpoint,
  SatisfactionResponse,
  CannedReply,
  Notification,
];

export {
  CannedReply,
  Notification,
  SatisfactionResponse,
  ThreadKey,
  XPollCheckpoint,
  Agent,
  AgentSession,
  Team,
  Inbox,
  ImapCheckpoint,
  Contact,
  ContactIdentity,
  Thread,
  Message,
  Attachment,
  MailMessageId,
  MailAwaitedId,
  InboundEvent,
  OutboundDelivery,
  BusinessCalendar,
  SlaPolicy,
  SlaClock,
  SlaBreach,
  AuditEvent,
  AssignmentCursor,
  AgentAssignmentStat,
};
