import { Injectable } from '@nestjs/common';
import type { InboundMessageEvent, IngestHooks } from '../ingestion/ingest-hooks';
import { SlaService } from './sla.service';

/**
 * The SLA half of the ingest hooks: a customer's message starts (or restarts) the clocks that wait
 * for us. Automatic mail never starts one. Idempotent, since ingestion may call it again on retry.
 */
@Injectable()
export class SlaIngestHooks implements IngestHooks {
  constructor(private readonly sla: SlaService) {}

  async afterInboundMessage(event: InboundMessageEvent): Promise<void> {
    if (event.isAutomatic) return;
    await this.sla.onCustomerMessage(event.threadId, event.messageId, event.slaPoliciesActive);
  }
}
