import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE, DiscoveryModule } from '@nestjs/core';
import { ZodValidationPipe } from 'nestjs-zod';
import { CoreModule, type AppConfig } from '@desk/core';
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

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config, 'api'), DiscoveryModule],
      controllers: [AuthController, AgentsController, ThreadsController, ContactsController, InboxesController, HealthController, MetricsController],
      providers: [
        HealthService,
        MetricsService,
        RealtimeGateway,
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_PIPE, useClass: ZodValidationPipe },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
