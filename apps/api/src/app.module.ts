import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { ZodValidationPipe } from 'nestjs-zod';
import { CoreModule, SearchService, type AppConfig } from '@desk/core';
import { AccessGuard } from './auth/access.guard';
import { AuthController } from './auth/auth.controller';
import { AgentsController } from './agents/agents.controller';
import { ContactsController } from './contacts/contacts.controller';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { HealthController } from './health/health.controller';
import { HealthService } from './health/health.service';
import { InboxesController } from './inboxes/inboxes.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { RealtimeGateway } from './realtime/realtime.gateway';
import { ThreadsController } from './threads/threads.controller';
import { EmailWebhookController } from './webhooks/email-webhook.controller';
import { MetaWebhookController, XWebhookController } from './webhooks/social-webhooks.controller';
import { InboundEventsController } from './inbound-events/inbound-events.controller';
import { MessagesController } from './threads/messages.controller';
import { AttachmentsController } from './attachments/attachments.controller';
import { ThreadMovesController } from './threads/thread-moves.controller';
import { SlaController } from './sla/sla.controller';
import { SlaSettingsController } from './sla/sla-settings.controller';
import { SupervisorController } from './supervisor/supervisor.controller';
import { ReportsController } from './reports/reports.controller';
import { PublicFormsController } from './public-forms/public-forms.controller';
import { ContactLinksController } from './contacts/contact-links.controller';
import { PublicSurveyController } from './public-survey/public-survey.controller';
import { SearchController } from './search/search.controller';
import { CannedRepliesController } from './canned-replies/canned-replies.controller';
import { NotificationsController } from './notifications/notifications.controller';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, 'api'), DiscoveryModule],
      controllers: [AuthController, AgentsController, ThreadsController, MessagesController, AttachmentsController, ThreadMovesController, ContactsController, InboxesController, HealthController, MetricsController, EmailWebhookController, XWebhookController, MetaWebhookController, InboundEventsController, SlaController, SlaSettingsController, SupervisorController, ReportsController, SearchController, PublicFormsController, ContactLinksController, PublicSurveyController, CannedRepliesController, NotificationsController],
      providers: [
        HealthService,
        SearchService,
        MetricsService,
        RealtimeGateway,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
