import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './platform/config/config';
import { ConfigModule } from './platform/config/config.module';
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
import { RealtimePublisher } from './modules/realtime/realtime.publisher';
import { IngestionService } from './modules/ingestion/ingestion.service';

const SERVICES = [AgentsService, AuthService, AuditService, InboxesService, ContactsService, ThreadsService, RealtimePublisher, IngestionService];

/** Everything the api and the worker share: platform connections and the domain services. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, service: 'api' | 'worker'): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [ConfigModule.forRoot(config), loggingModule(config, service), DatabaseModule, RedisModule, QueueModule],
      providers: SERVICES,
      exports: SERVICES,
    };
  }
}
