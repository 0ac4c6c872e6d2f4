import { AgentsAndAudit1763900000000 } from './1763900000000-agents-and-audit';
import { ConversationsAndIngestion1763900100000 } from './1763900100000-conversations-and-ingestion';
import { SlaModel1763900200000 } from './1763900200000-sla-model';
import { MessageThreadVersion1763900500000 } from './1763900500000-message-thread-version';
import { ImapCheckpoints1763900700000 } from './1763900700000-imap-checkpoints';
import { SlaEngine1763901100000 } from './1763901100000-sla-engine';
import { AssignmentState1763901500000 } from './1763901500000-assignment-state';
import { MessageSearch1763902700000 } from './1763902700000-message-search';
import { SocialThreading1763903100000 } from './1763903100000-social-threading';
import { ThreadInboxOrder1763903400000 } from './1763903400000-thread-inbox-order';
import { SatisfactionSurvey1763904300000 } from './1763904300000-satisfaction-survey';
import { ThreadMerges1763904400000 } from './1763904400000-thread-merges';
import { CannedRepliesAndMentions1763904500000 } from './1763904500000-canned-replies-and-mentions';
import { OutboundAttachments1763904600000 } from './1763904600000-outbound-attachments';
import { ThreadLastAutoAck1763904700000 } from './1763904700000-thread-last-auto-ack';
import { MailAwaitedIds1763904800000 } from './1763904800000-mail-awaited-ids';

/** In order. Generated from the entities, then read, split by domain and named by hand. */
export const MIGRATIONS = [AgentsAndAudit1763900000000, ConversationsAndIngestion1763900100000, SlaModel1763900200000, MessageThreadVersion1763900500000, ImapCheckpoints1763900700000, SlaEngine1763901100000, AssignmentState1763901500000, MessageSearch1763902700000, SocialThreading1763903100000, ThreadInboxOrder1763903400000, SatisfactionSurvey1763904300000, ThreadMerges1763904400000, CannedRepliesAndMentions1763904500000, OutboundAttachments1763904600000, ThreadLastAutoAck1763904700000, MailAwaitedIds1763904800000];
