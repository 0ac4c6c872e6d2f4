import { Injectable, Logger } from '@nestjs/common';
import type { InboundMessageEvent, IngestHooks } from './ingest-hooks';
import { SlaIngestHooks } from '../sla/sla-hooks';
import { RepeatContactService } from '../assignment/repeat-contact.service';
import { AssignmentService } from '../assignment/assignment.service';
import { AutoAckService } from '../acknowledgement/auto-ack.service';

/**
 * Everything that follows a committed inbound message, in order: flag a repeat contact first (it
 * may raise the priority, which changes which SLA policy matches), then start the SLA clocks, then
 * acknowledge the customer (the promise needs the clock's due instant), then assign a new thread.
 * Each step is isolated: one failing must not skip the others, and each is
 * idempotent (a retried ingestion calls them again). Missed steps are also covered by the
 * reconcilers and the assignment sweep.
 */
@Injectable()
export class PostIngestHooks implements IngestHooks {
  private readonly log = new Logger(PostIngestHooks.name);

  constructor(
    private readonly repeat: RepeatContactService,
    private readonly sla: SlaIngestHooks,
    private readonly assignment: AssignmentService,
    private readonly autoAck: AutoAckService,
  ) {}

  async afterInboundMessage(event: InboundMessageEvent): Promise<void> {
    const customer = !event.isAutomatic;
    if (event.isNewThread && customer) await this.step('repeat-contact', () => this.repeat.flagIfRepeat(event.threadId));
    await this.step('sla', () => this.sla.afterInboundMessage(event));
    if (customer) await this.step('auto-ack', () => this.autoAck.maybeAcknowledge(event));
    // a manual inbox assigns nothing (the sweep covers a mode changed since): no query for it
    if (event.isNewThread && customer && event.inboxAssignmentMode !== 'manual')
      await this.step('assignment', () => this.assignment.assignNewThread(event.threadId));
  }

  /** The same for a batch of committed messages (distinct threads): each step once for the batch, in the same order. */
  async afterInboundMessages(events: InboundMessageEvent[]): Promise<void> {
    const customers = events.filter((e) => !e.isAutomatic);
    const opened = customers.filter((e) => e.isNewThread);
    if (opened.length) await this.step('repeat-contact', () => this.repeat.flagIfRepeatMany(opened.map((e) => e.threadId)));
    for (const e of events) await this.step('sla', () => this.sla.afterInboundMessage(e));
    if (customers.length) await this.step('auto-ack', () => this.autoAck.maybeAcknowledgeMany(customers));
    for (const e of opened) if (e.inboxAssignmentMode !== 'manual') await this.step('assignment', () => this.assignment.assignNewThread(e.threadId));
  }

  private async step(name: string, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log.warn(`post-ingest ${name} failed (a reconciler or sweep will catch up): ${(e as Error).message}`);
    }
  }
}
