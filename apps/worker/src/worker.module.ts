import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { CoreModule, type AppConfig } from '@desk/core';
import { JOB_HANDLERS, type JobHandler } from './jobs/job-handler';
import { WorkerHost } from './jobs/worker-host';
import { SessionCleanupJob } from './maintenance/session-cleanup.job';
import { AttachmentCleanupJob } from './maintenance/attachment-cleanup.job';
import { DeliverJob } from './delivery/deliver.job';
import { DeliverReconcileJob } from './delivery/deliver-reconcile.job';
import { NotifyEmailJob } from './delivery/notify-email.job';
import { IngestJob } from './ingestion/ingest.job';
import { IngestReconcileJob } from './ingestion/ingest-reconcile.job';
import { XMentionsPollJob } from './ingestion/x-mentions-poll.job';
import { SmtpListener } from './email/smtp-listener';
import { ImapPoller } from './email/imap-poller';
import { SlaWarnJob } from './sla/sla-warn.job';
import { SlaBreachJob } from './sla/sla-breach.job';
import { SlaEscalateJob } from './sla/sla-escalate.job';
import { SlaReconcileJob } from './sla/sla-reconcile.job';
import { AssignmentSweepJob } from './assignment/assignment-sweep.job';
import { StalledAutoReassignJob } from './assignment/stalled-auto-reassign.job';

/** Every job processor of the desk; WorkerHost refuses to start if a job name has none. */
export const HANDLERS: Array<Type<JobHandler>> = [SessionCleanupJob, AttachmentCleanupJob, IngestJob, IngestReconcileJob, XMentionsPollJob, DeliverJob, DeliverReconcileJob, NotifyEmailJob, SlaWarnJob, SlaBreachJob, SlaEscalateJob, SlaReconcileJob, AssignmentSweepJob, StalledAutoReassignJob];

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
        SmtpListener,
        ImapPoller,
      ],
    };
  }
}
