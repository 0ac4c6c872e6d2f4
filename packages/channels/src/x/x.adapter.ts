import { QuarantineError, type ChannelAdapter, type ChannelCapabilities, type NormalizedMessage, type ParseContext, type ReplyTarget } from '../adapter';
import { isRecord } from '../social/http';
import type { SocialSendResult } from '../social/message';
import { ChannelValidationError, classifyProviderError } from '../social/provider-error';
import { xIdempotencyKey } from './idempotency';
import { parseMentionsResponse } from './mentions';
import { parseXWebhook, splitXWebhook } from './parse-webhook';
import type { XClient } from './x-client';
import { X_PUBLIC_LIMIT } from './text-length';

/** What the delivery job hands to a social adapter: the text and where it goes (from the message replied to). */
export interface SocialOutbound {
  text: string;
  target: ReplyTarget;
}

/**
 * One stored X event: a single-event Account Activity body (from splitXWebhook) or a single v2
 * tweet `{ data: tweet, includes: { users } }` (from the mentions poller). Both carry the tweet id.
 */
export type XInboundPayload = Record<string, unknown>;

export type XAdapter = ChannelAdapter<XInboundPayload, SocialOutbound, SocialSendResult> & { readonly publicTextLimit: number };

export function xPayloadExternalId(payload: XInboundPayload): string | null {
  if (isRecord(payload.data)) return typeof payload.data.id === 'string' ? payload.data.id : null;
  const events = splitXWebhook(payload, { ownUserId: '' });
  return events.length === 1 ? (events[0]?.externalId ?? null) : null;
}

export function createXAdapter(options: { client: XClient; ownUserId: string }): XAdapter {
  const capabilities: ChannelCapabilities = { canInitiate: false, attachments: false, html: false, maxAttachmentBytes: null };
  return {
    kind: 'x',
    capabilities,
    publicTextLimit: X_PUBLIC_LIMIT,
    idempotencyKey(payload: XInboundPayload, inboxId: string): string {
      const id = xPayloadExternalId(payload);
      if (!id) throw new QuarantineError('x event without a tweet or message id');
      return xIdempotencyKey(inboxId, id);
    },
    async parse(payload: XInboundPayload, ctx: ParseContext): Promise<NormalizedMessage> {
      const ownUserId = ctx.ownAccountIds?.[0] ?? options.ownUserId;
      const messages = isRecord(payload.data)
        ? parseMentionsResponse({ data: [payload.data], includes: payload.includes, meta: {} }, { ownUserId }).messages
        : parseXWebhook(payload, { ownUserId });
      const [first, ...rest] = messages;
      if (!first) throw new QuarantineError('x event holds no customer message (own account, retweet or other kind)');
      if (rest.length > 0) throw new QuarantineError('x event holds more than one message: split it with splitXWebhook first');
      return first;
    },
    send(outbound: SocialOutbound): Promise<SocialSendResult> {
      if (outbound.target.kind === 'x-tweet') return options.client.replyToTweet(outbound.text, outbound.target.id);
      if (outbound.target.kind === 'x-dm') return options.client.sendDm(outbound.target.id, outbound.text);
      return Promise.reject(new ChannelValidationError('replyTarget', `the x channel cannot send to a ${outbound.target.kind}`));
    },
    classifySendError: classifyProviderError,
  };
}
