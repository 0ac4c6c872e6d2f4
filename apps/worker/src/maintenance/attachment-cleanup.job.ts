import { Injectable, Logger } from '@nestjs/common';
import { AttachmentsService, QueueName } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export type AttachmentCleanupData = Record<string, never>;

/**
 * Hourly: deletes agents' uploads that no reply or note claimed within a day (abandoned drafts),
 * and their files when nothing else references the same bytes.
 */
@Injectable()
export class AttachmentCleanupJob implements JobHandler<AttachmentCleanupData> {
  readonly queue = QueueName.Maintenance;
  readonly every = 60 * 60_000;
  readonly name = 'attachment-cleanup';
  private readonly log = new Logger(AttachmentCleanupJob.name);

  constructor(private readonly attachments: AttachmentsService) {}

  async handle(): Promise<{ deleted: number; filesRemoved: number }> {
    const result = await this.attachments.deleteUnclaimed();
    if (result.deleted) this.log.log(`deleted ${result.deleted} unclaimed uploads (${result.filesRemoved} files)`);
    return result;
  }
}
