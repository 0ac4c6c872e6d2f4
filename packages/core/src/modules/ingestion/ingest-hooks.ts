/** What happened, handed to the hooks after the ingest transaction committed. */
export interface InboundMessageEvent {
  threadId: string;
  messageId: string;
  /** Auto-replies, bounces, bulk: must not start an SLA clock nor get an acknowledgement. */
  isAutomatic: boolean;
  isNewThread: boolean;
  /** Whether any SLA policy was active when the message committed, when the ingest knows it (saves a query). */
  slaPoliciesActive?: boolean;
  /** The inbox's assignment mode when the event was claimed (`manual` needs no assignment query). */
  inboxAssignmentMode?: string;
}

/**
 * Extension point after an inbound message is committed (SLA clocks, auto-acknowledgement).
 * Called once per committed message; a throwing hook is logged and does not fail the ingestion,
 * so implementations must be idempotent and re-check the truth (a retry may call them again).
 */
export interface IngestHooks {
  afterInboundMessage(event: InboundMessageEvent): Promise<void>;
  /**
   * The same for several messages committed together (a batch of plain mail), each at most once,
   * in order; the events are of distinct threads. Optional: without it each is handed over alone.
   */
  afterInboundMessages?(events: InboundMessageEvent[]): Promise<void>;
}

export const INGEST_HOOKS = Symbol('INGEST_HOOKS');

/** Default until the SLA issue provides the real hooks. */
export class NoopIngestHooks implements IngestHooks {
  async afterInboundMessage(): Promise<void> {}
}
