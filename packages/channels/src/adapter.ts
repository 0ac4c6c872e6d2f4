// The contract between the channel adapters and the channel-neutral rest of the system.
// Everything after `parse` works on a NormalizedMessage and never asks which channel it came from.
// The string unions below mirror @desk/contracts on purpose: channels stays free of our other packages.

export type ChannelKind = 'email' | 'webform' | 'x' | 'facebook' | 'instagram';
export type IdentityKind = 'email' | 'x' | 'facebook' | 'instagram';

export interface SenderIdentity {
  kind: IdentityKind;
  /** Normalized value: lower-cased email address, or the network's user id. */
  value: string;
  displayName: string | null;
  /** Social: the person's display name when the network gives one beside the handle (X `name`, Facebook `from.name`). */
  name?: string | null;
}

/**
 * Where a reply to a message goes, decided by the adapter that parsed it. `id` is the tweet id
 * (x-tweet), the user id (x-dm), the PSID (messenger), the IGSID (instagram-dm), the comment or
 * post id the reply is attached to (facebook-comment, instagram-comment), or the address (email).
 * instagram-mention (a mention of us in someone else's media, which we cannot reply to as a comment
 * of ours): `<mediaId>` for a caption mention, `<mediaId>:<commentId>` for a comment mention; see
 * instagramMentionTargetId.
 */
export type ReplyTargetKind =
  | 'email'
  | 'x-tweet'
  | 'x-dm'
  | 'messenger'
  | 'facebook-comment'
  | 'instagram-comment'
  | 'instagram-mention'
  | 'instagram-dm';

export interface ReplyTarget {
  kind: ReplyTargetKind;
  id: string;
}

export interface MarkerMatch {
  /** The marker as found, e.g. `1234.abcd1234`. */
  raw: string;
  threadNumber: number;
  /** true/false when a secret was available to check the signature, null when not checked. */
  valid: boolean | null;
}

export interface ThreadingKeys {
  /** Message-ID (without angle brackets) this message answers. */
  inReplyTo: string | null;
  /** References chain, oldest first, without angle brackets. */
  references: string[];
  /** Signed thread token found in a plus-address of a recipient (unverified: see verifyThreadToken). */
  token: string | null;
  /** Signed marker found in the body (text or html, quoted history included). */
  marker: MarkerMatch | null;
  /** Thread number from a `[#1234]` tag in the subject (a hint only: unsigned). */
  subjectNumber: number | null;
}

export interface BounceInfo {
  /** Message-IDs (without angle brackets) of the message(s) that bounced. */
  originalMessageIds: string[];
  recipient: string | null;
  /** DSN Status, e.g. `5.1.1`. */
  status: string | null;
  diagnostic: string | null;
  /** true for 5.x.x (do not retry), false for 4.x.x or unknown. */
  permanent: boolean;
}

export interface KeptAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
  sha256: string;
}

export type AttachmentRefusalReason = 'too_large';

export interface RefusedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  reason: AttachmentRefusalReason;
}

export interface NormalizedMessage {
  channel: ChannelKind;
  /** The channel's own id. Email: the Message-ID without angle brackets, or `sha256:<hex of raw>` when absent. */
  externalId: string;
  sender: SenderIdentity;
  /** To and Cc recipients, normalized like the sender value. */
  participants: string[];
  subject: string | null;
  sentAt: Date | null;
  /** The full original text (html converted to text when the message has no text part). */
  text: string;
  /** Only the new part: quoted history and signature removed. */
  visibleText: string;
  /** Sanitized html, or null when the message has none. */
  html: string | null;
  threading: ThreadingKeys;
  isAutomatic: boolean;
  automaticReason: string | null;
  bounce: BounceInfo | null;
  attachments: KeptAttachment[];
  refusedAttachments: RefusedAttachment[];
  /** Whether the message is visible to the customer side (email: always true). */
  isPublic: boolean;
  /**
   * Social: the channel's conversation key, one thread per (inbox, key). Absent for email and
   * webform, which thread by their own keys. See each adapter's top comment for its scheme.
   */
  conversationKey?: string;
  /** Social and webform: where the team's reply to this message goes. */
  replyTarget?: ReplyTarget;
  /** The account of ours (X user id, Facebook page id, Instagram account id) that received it. */
  recipientAccountId?: string;
  /** Webform: the inbox's custom fields as submitted (checkboxes as booleans). */
  formFields?: Record<string, string | boolean | null>;
}

export interface ChannelCapabilities {
  /** Can send a reply outside any time window (email yes, Meta's 24h window no). */
  canInitiate: boolean;
  attachments: boolean;
  html: boolean;
  /** Maximum size of one outgoing attachment, in bytes, or null when attachments are unsupported. */
  maxAttachmentBytes: number | null;
}

export interface ParseContext {
  inboxId: string;
  maxAttachmentBytes: number;
  /** Secret used to check thread tokens and body markers, when the caller has it. */
  threadSecret?: string;
  /** Social: ids of our own accounts (X user id, page id, Instagram account id); their events are dropped. */
  ownAccountIds?: string[];
}

export type SendErrorClass = 'temporary' | 'permanent';

/**
 * One adapter per channel kind. Payload types vary per channel, so the interface is generic;
 * methods use method syntax so a typed adapter fits the registry's `ChannelAdapter`.
 */
export interface ChannelAdapter<TInbound = unknown, TOutbound = unknown, TSendResult = unknown> {
  readonly kind: ChannelKind;
  readonly capabilities: ChannelCapabilities;
  /** Checks the authenticity of an inbound request (signature, shared secret). */
  verify?(request: unknown): boolean;
  /** Key for the unique constraint of the inbound event, computed cheaply before parsing. */
  idempotencyKey(payload: TInbound, inboxId: string): string;
  /** Turns a raw payload into a message, or throws QuarantineError. */
  parse(payload: TInbound, ctx: ParseContext): Promise<NormalizedMessage>;
  send(outbound: TOutbound): Promise<TSendResult>;
  classifySendError(err: unknown): SendErrorClass;
}

/** Thrown by parse functions for input that cannot become a message; the event is quarantined with `reason`. */
export class QuarantineError extends Error {
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`quarantined: ${reason}`, options);
    this.name = 'QuarantineError';
    this.reason = reason;
  }
}

export class UnknownChannelError extends Error {
  constructor(readonly kind: string) {
    super(`No channel adapter registered for kind "${kind}"`);
    this.name = 'UnknownChannelError';
  }
}

export class AdapterRegistry {
  private readonly adapters = new Map<string, ChannelAdapter>();

  constructor(adapters: Iterable<ChannelAdapter> = []) {
    for (const adapter of adapters) this.register(adapter);
  }

  register(adapter: ChannelAdapter): this {
    if (this.adapters.has(adapter.kind)) {
      throw new Error(`A channel adapter is already registered for kind "${adapter.kind}"`);
    }
    this.adapters.set(adapter.kind, adapter);
    return this;
  }

  /** Throws UnknownChannelError when no adapter serves `kind`. */
  get(kind: string): ChannelAdapter {
    const adapter = this.adapters.get(kind);
    if (!adapter) throw new UnknownChannelError(kind);
    return adapter;
  }

  has(kind: string): boolean {
    return this.adapters.has(kind);
  }

  kinds(): ChannelKind[] {
    return [...this.adapters.keys()] as ChannelKind[];
  }
}
