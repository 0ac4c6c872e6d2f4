import { AgentsAndAudit1763900000000 } from './1763900000000-agents-and-audit';
import { ConversationsAndIngestion1763900100000 } from './1763900100000-conversations-and-ingestion';
import { SlaModel1763900200000 } from './1763900200000-sla-model';

/** In order. Generated from the entities, then read, split by domain and named by hand. */
export const MIGRATIONS = [AgentsAndAudit1763900000000, ConversationsAndIngestion1763900100000, SlaModel1763900200000];
