import { createHash } from 'node:crypto';
import { findHeader, headerBlock, messageIdFromHeader, parseHeaderBlock } from './headers';

/**
 * Key of the inbound event's unique constraint: `<inbox>:mid:<message-id>` when the message has a
 * Message-ID, else `<inbox>:sha256:<hex of the raw bytes>`. Reads the header block only.
 */
export function emailIdempotencyKey(raw: Buffer, inboxId: string): string {
  const messageId = messageIdFromHeader(findHeader(parseHeaderBlock(headerBlock(raw)), 'message-id'));
  if (messageId) return `${inboxId}:mid:${messageId}`;
  return `${inboxId}:sha256:${sha256Hex(raw)}`;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
