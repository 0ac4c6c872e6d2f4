import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { classifySmtpError, relayTransport, sendEmail, type MailSender } from '@desk/channels';
import { APP_CONFIG, NOTIFY_EMAIL_JOB, QueueName, type AppConfig, type NotifyEmailJobData } from '@desk/core';
import type { JobHandler } from '../jobs/job-handler';

export const NO_RELAY_NOTIFY = 'no SMTP relay configured (set SMTP_RELAY_URL); the notification is retried';

/**
 * An internal notification email (SLA escalation to supervisors) over the relay. The job holds the
 * whole message; it is sent From the desk's first active email inbox (else `desk@MAIL_DOMAIN`)
 * with `Auto-Submitted: auto-generated`. No relay, a network failure or a 4xx → BullMQ retries
 * (5 attempts, exponential backoff); a 5xx gives up at once.
 */
@Injectable()
export class NotifyEmailJob implements JobHandler<NotifyEmailJobData>, OnApplicationShutdown {
  readonly queue = QueueName.Deliver;
  readonly name = NOTIFY_EMAIL_JOB;
  private transport: (MailSender & { close(): void }) | null = null;

  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(job: Job<NotifyEmailJobData>): Promise<{ status: string; to: string[] }> {
    const { to, subject, text } = job.data;
    if (!to?.length) return { status: 'skipped', to: [] };
    if (!this.config.SMTP_RELAY_URL) throw new Error(NO_RELAY_NOTIFY);
    const from = await this.fromAddress();
    try {
      const result = await sendEmail(this.sender(this.config.SMTP_RELAY_URL), {
        from,
        to,
        subject,
        text,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
      return { status: 'sent', to: result.accepted };
    } catch (err) {
      if (classifySmtpError(err) === 'permanent') throw new UnrecoverableError((err as Error).message ?? String(err));
      throw err instanceof Error ? err : new Error(String(err));
    }
  }

  private async fromAddress(): Promise<string> {
    const [row]: Array<{ address: string }> = await this.ds.query(
      `SELECT address FROM inboxes WHERE channel = 'email' AND is_active AND address LIKE '%@%' ORDER BY created_at, id LIMIT 1`,
    );
    return row?.address ?? `desk@${this.config.MAIL_DOMAIN}`;
  }

  private sender(url: string): MailSender {
    this.transport ??= relayTransport(url);
    return this.transport;
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
