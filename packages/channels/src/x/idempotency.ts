import { socialIdempotencyKey } from '../social/message';

/**
 * Key of an X inbound event: `<inbox>:x:<tweet id or DM event id>`. Tweet ids are the same in the
 * webhook and the v2 mentions timeline, so a tweet seen by both paths is stored once.
 */
export function xIdempotencyKey(inboxId: string, externalId: string): string {
  return socialIdempotencyKey(inboxId, 'x', externalId);
}
