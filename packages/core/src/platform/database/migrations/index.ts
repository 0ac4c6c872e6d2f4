import { AgentsAndAudit1763900000000 } from './1763900000000-agents-and-audit';
import { ConversationsAndIngestion1763900100000 } from './1763900100000-conversations-and-ingestion';
import { SlaModel1763900200000 } from './1763900200000-sla-model';
import { MessageThreadVersion1763900500000 } from './1763900500000-message-thread-version';
import { ImapCheckpoints1763900700000 } from './1763900700000-imap-checkpoints';
import { SlaEngine1763901100000 } from './1763901100000-sla-engine';
import { AssignmentState1763901500000 } from './1763901500000-assignment-state';

/** In order. Generated from the entities, then read, split by domain and named by hand. */
export const MIGRATIONS = [AgentsAndAudit1763900000000, ConversationsAndIngestion1763900100000, SlaModel1763900200000, MessageThreadVersion1763900500000, ImapCheckpoints1763900700000, SlaEngine1763901100000, AssignmentState1763901500000];
