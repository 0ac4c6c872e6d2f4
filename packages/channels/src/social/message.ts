import type { ChannelKind, NormalizedMessage, ReplyTarget, SenderIdentity } from '../adapter';

export interface SocialMessageInput {
  channel: ChannelKind;
  externalId: string;
  sender: SenderIdentity;
  text: string;
  sentAt: Date | null;
  isPublic: boolean;
  conversationKey: string;
  replyTarget: ReplyTarget;
  recipientAccountId?: string;
  /** Id of the post, tweet or comment this one answers (matched against earlier messages' externalId). */
  inReplyTo?: string | null;
  participants?: string[];
}

/**
 * A NormalizedMessage for a social event: no subject, no html, no email threading. The parent's
 * id goes into `threading.inReplyTo` so the matcher can join the thread of a message it knows.
 */
export function socialMessage(input: SocialMessageInput): NormalizedMessage {
  const message: NormalizedMessage = {
    channel: input.channel,
    externalId: input.externalId,
    sender: input.sender,
    participants: input.participants ?? [],
    subject: null,
    sentAt: input.sentAt,
    text: input.text,
    visibleText: input.text.trim(),
    html: null,
    threading: { inReplyTo: input.inReplyTo ?? null, references: [], token: null, marker: null, subjectNumber: null },
    isAutomatic: false,
    automaticReason: null,
    bounce: null,
    attachments: [],
    refusedAttachments: [],
    isPublic: input.isPublic,
    conversationKey: input.conversationKey,
    replyTarget: input.replyTarget,
  };
  if (input.recipientAccountId !== undefined) message.recipientAccountId = input.recipientAccountId;
  return message;
}

/** Key of the inbound event's unique constraint for a social event: `<inbox>:<channel>:<external id>`. */
export function socialIdempotencyKey(inboxId: string, channel: ChannelKind, externalId: string): string {
  return `${inboxId}:${channel}:${externalId}`;
}

/** Result of a successful send: the network's id of what we created. */
export interface SocialSendResult {
  providerMessageId: string;
}
