import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@desk/core';
import { JOB_HANDLERS, type JobHandler } from './jobs/job-handler';
import { WorkerHost } from './jobs/worker-host';
import { SessionCleanupJob } from './maintenance/session-cleanup.job';

/** Every job processor of the desk; WorkerHost refuses to start if a job name has none. */
export const HANDLERS: Array<Type<JobHandler>> = [SessionCleanupJob];

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config, 'worker')],
      providers: [
        ...HANDLERS,
        { provide: JOB_HANDLERS, inject: HANDLERS, useFactory: (...handlers: JobHandler[]) => handlers },
        WorkerHost,
      ],
    };
  }
}
