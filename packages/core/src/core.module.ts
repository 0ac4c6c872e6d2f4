import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from './platform/config/config';
import { APP_CONFIG, ConfigModule } from './platform/config/config.module';
import { DatabaseModule } from './platform/database/database.module';
import { RedisModule } from './platform/redis/redis.module';
import { QueueModule } from './platform/queue/queue.module';
import { loggingModule } from './platform/logging/logging.module';
import { AgentsService } from './modules/agents/agents.service';
import { AuthService } from './modules/agents/auth.service';
import { AuditService } from './modules/audit/audit.service';
import { InboxesService } from './modules/channels/inboxes.service';
import { ContactsService } from './modules/contacts/contacts.service';
import { ThreadsService } from './modules/conversations/threads.service';
import { AttachmentsService } from './modules/conversations/attachments.service';
import { ThreadMovesService } from './modules/conversations/thread-moves.service';
import { RealtimePublisher } from './modules/realtime/realtime.publisher';
import { IngestionService } from './modules/ingestion/ingestion.service';
import { IngestProcessor } from './modules/ingestion/ingest-processor.service';
import { IngestBatcher } from './modules/ingestion/ingest-batcher';
import { InboundEventsService } from './modules/ingestion/inbound-events.service';
import { SocialWebhooksService } from './modules/ingestion/social-webhooks.service';
import { XMentionsPoller } from './modules/ingestion/x-mentions-poller.service';
import { INGEST_HOOKS } from './modules/ingestion/ingest-hooks';
import { INBOUND_ADAPTERS, createInboundAdapters } from './modules/ingestion/inbound-adapters';
import { ContactResolver } from './modules/contacts/contact-resolver.service';
import { ThreadMatcher } from './modules/conversations/thread-matcher.service';
import { FILE_STORE, LocalFileStore } from './modules/storage/file-store';
import { OutboxService } from './modules/delivery/outbox.service';
import { SlaService } from './modules/sla/sla.service';
import { SlaScheduler } from './modules/sla/sla-scheduler';
import { SlaReconciler } from './modules/sla/sla-reconciler.service';
import { SlaEscalationService } from './modules/sla/sla-escalation.service';
import { SlaIngestHooks } from './modules/sla/sla-hooks';
import { PostIngestHooks } from './modules/ingestion/post-ingest-hooks';
import { SlaSettingsService } from './modules/sla/sla-settings.service';
import { AutoAckService } from './modules/acknowledgement/auto-ack.service';
import { AssignmentService } from './modules/assignment/assignment.service';
import { StalledService } from './modules/assignment/stalled.service';
import { RepeatContactService } from './modules/assignment/repeat-contact.service';
import { SupervisorService } from './modules/assignment/supervisor.service';
import { ReportsService } from './modules/assignment/reports.service';
import { WebformService } from './modules/webform/webform.service';
import { ContactLinksService } from './modules/contacts/contact-links.service';
import { SurveyService } from './modules/survey/survey.service';
import { CannedRepliesService } from './modules/canned-replies/canned-replies.service';
import { NotificationsService } from './modules/notifications/notifications.service';

const SERVICES = [AgentsService, AuthService, AuditService, InboxesService, ContactsService, ThreadsService, AttachmentsService, ThreadMovesService, RealtimePublisher, IngestionService, OutboxService, SlaScheduler, SlaService, SlaSettingsService, SlaReconciler, SlaEscalationService, AssignmentService, StalledService, RepeatContactService, SupervisorService, ReportsService, WebformService, ContactLinksService, SurveyService, CannedRepliesService, NotificationsService];

/** Ingestion: parse, resolve, thread, commit. Hooks and the file store are tokens so later issues can swap them. */
const INGESTION_PROVIDERS = [
  IngestProcessor,
  IngestBatcher,
  InboundEventsService,
  SocialWebhooksService,
  XMentionsPoller,
  ContactResolver,
  ThreadMatcher,
  SlaIngestHooks,
  AutoAckService,
  PostIngestHooks,
  { provide: INGEST_HOOKS, useExisting: PostIngestHooks },
  { provide: INBOUND_ADAPTERS, inject: [DataSource], useFactory: (ds: DataSource) => createInboundAdapters(ds) },
  { provide: FILE_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new LocalFileStore(join(c.DATA_DIR, 'attachments')) },
];

/** Everything the api and the worker share: platform connections and the domain services. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, service: 'api' | 'worker'): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [ConfigModule.forRoot(config), loggingModule(config, service), DatabaseModule, RedisModule, QueueModule],
      providers: [...SERVICES, ...INGESTION_PROVIDERS],
      exports: [...SERVICES, ...INGESTION_PROVIDERS],
    };
  }
}
