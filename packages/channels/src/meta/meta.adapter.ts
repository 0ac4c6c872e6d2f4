import { QuarantineError, type ChannelAdapter, type ChannelCapabilities, type NormalizedMessage, type ParseContext } from '../adapter';
import type { SocialSendResult } from '../social/message';
import { socialIdempotencyKey } from '../social/message';
import { ChannelValidationError, classifyProviderError, ProviderError } from '../social/provider-error';
import type { SocialOutbound } from '../x/x.adapter';
import type { GraphClient } from './graph-client';
import {
  instagramMentionLookups,
  instagramMentionToNormalized,
  parseInstagramMentionTargetId,
  parseMetaWebhook,
  type InstagramMention,
  type InstagramMentionLookup,
  type MetaParseContext,
} from './parse-webhook';

export type MetaInboundPayload = Record<string, unknown>;
export type MetaAdapter = ChannelAdapter<MetaInboundPayload, SocialOutbound, SocialSendResult>;

/**
 * Single-event Meta bodies, so each message is stored and quarantined on its own: each messaging
 * event and each change becomes `{ object, entry: [{ id, time, messaging|changes: [one] }] }`.
 * The id is the mid / comment id / post id when the event has one. Events parse would drop
 * (echoes, our own comments, edits, reactions, reads) are left out; malformed ones are kept so the
 * pipeline quarantines them. Instagram `mentions` changes (ids only: `{ media_id, comment_id? }`)
 * are kept too, under the comment id or, for a caption mention, the media id: their text is looked
 * up when the event is parsed (see createInstagramAdapter).
 */
export function splitMetaWebhook(body: unknown, ctx: MetaParseContext = { ownIds: [] }): Array<{ externalId: string | null; payload: MetaInboundPayload }> {
  if (typeof body !== 'object' || body === null) return [];
  const { object, entry } = body as { object?: unknown; entry?: unknown };
  const out: Array<{ externalId: string | null; payload: MetaInboundPayload }> = [];
  for (const e of Array.isArray(entry) ? (entry as Array<Record<string, unknown>>) : []) {
    const head = { id: e.id, time: e.time };
    for (const m of Array.isArray(e.messaging) ? (e.messaging as Array<Record<string, unknown>>) : []) {
      const message = (m.message ?? null) as { mid?: unknown; is_echo?: unknown } | null;
      if (!message || message.is_echo === true) continue;
      out.push({ externalId: typeof message.mid === 'string' ? message.mid : null, payload: { object, entry: [{ ...head, messaging: [m] }] } });
    }
    for (const c of Array.isArray(e.changes) ? (e.changes as Array<Record<string, unknown>>) : []) {
      const v = (c.value ?? {}) as Record<string, unknown>;
      const id = [v.comment_id, v.id, v.post_id, v.media_id].find((x) => typeof x === 'string') as string | undefined;
      out.push({ externalId: id ?? null, payload: { object, entry: [{ ...head, changes: [c] }] } });
    }
  }
  return out.filter(({ payload }) => {
    try {
      return parseMetaWebhook(payload, ctx).length > 0 || instagramMentionLookups(payload).length > 0;
    } catch {
      return true;
    }
  });
}

/** Fetches an Instagram mention the webhook announced by id; the inbound registry passes one that uses the inbox's credentials. */
export type InstagramMentionResolver = (lookup: InstagramMentionLookup, ctx: ParseContext) => Promise<InstagramMention>;

export interface MetaAdapterOptions {
  client: GraphClient;
  ownIds: string[];
  /** Default: `client.getInstagramMention`. */
  resolveInstagramMention?: InstagramMentionResolver;
  /** Instagram: our account id (the inbox's igUserId), the node a reply to a mention is posted on. */
  igUserId?: string;
}

/**
 * An Instagram `mentions` event carries no text: the Graph API gives it (caption or comment, and
 * its author). A permanent refusal (unknown media, no permission) quarantines the event with the
 * provider's answer; a temporary one (429, 5xx, network) is thrown as is, so the ingest job retries
 * the event with backoff and quarantines it only after its last attempt.
 */
async function instagramMention(payload: MetaInboundPayload, ctx: ParseContext, resolve: InstagramMentionResolver): Promise<NormalizedMessage | null> {
  const [lookup, ...rest] = instagramMentionLookups(payload);
  if (!lookup) return null;
  if (rest.length > 0) throw new QuarantineError('instagram event holds more than one mention: split it with splitMetaWebhook first');
  const what = lookup.commentId ? `comment ${lookup.commentId}` : `caption of media ${lookup.mediaId}`;
  let mention: InstagramMention;
  try {
    mention = await resolve(lookup, ctx);
  } catch (e) {
    if (e instanceof ProviderError && e.classification === 'permanent') {
      const status = e.status === null ? 'no response' : `HTTP ${e.status}`;
      throw new QuarantineError(`instagram mention lookup of the ${what} failed (${status}): ${e.providerMessage ?? e.message}`, { cause: e });
    }
    throw e;
  }
  return instagramMentionToNormalized(mention, lookup.igUserId);
}

function createMetaAdapter(kind: 'facebook' | 'instagram', options: MetaAdapterOptions): MetaAdapter {
  const resolveMention: InstagramMentionResolver = options.resolveInstagramMention ?? ((lookup) => options.client.getInstagramMention(lookup));
  const capabilities: ChannelCapabilities = { canInitiate: false, attachments: false, html: false, maxAttachmentBytes: null };
  // A mention sits in someone else's media: the reply is posted on our own account's node.
  function replyToMention(targetId: string, text: string): Promise<SocialSendResult> {
    const ids = parseInstagramMentionTargetId(targetId);
    if (!ids) return Promise.reject(new ChannelValidationError('replyTarget', `"${targetId}" is not an Instagram mention (<media id>[:<comment id>])`));
    if (!options.igUserId) return Promise.reject(new ChannelValidationError('replyTarget', 'the inbox has no igUserId to reply to an Instagram mention from'));
    return options.client.replyToInstagramMention(options.igUserId, ids.mediaId, ids.commentId, text);
  }
  return {
    kind,
    capabilities,
    idempotencyKey(payload: MetaInboundPayload, inboxId: string): string {
      const [event, ...rest] = splitMetaWebhook(payload, { ownIds: options.ownIds });
      if (!event?.externalId || rest.length > 0) throw new QuarantineError(`${kind} payload is not one identifiable event`);
      return socialIdempotencyKey(inboxId, kind, event.externalId);
    },
    async parse(payload: MetaInboundPayload, ctx: ParseContext): Promise<NormalizedMessage> {
      const messages = parseMetaWebhook(payload, { ownIds: [...options.ownIds, ...(ctx.ownAccountIds ?? [])] });
      if (messages.length === 0 && kind === 'instagram') {
        const mention = await instagramMention(payload, ctx, resolveMention);
        if (mention) return mention;
      }
      const [first, ...rest] = messages;
      if (!first) throw new QuarantineError(`${kind} event holds no customer message`);
      if (rest.length > 0) throw new QuarantineError(`${kind} event holds more than one message: split it with splitMetaWebhook first`);
      if (first.channel !== kind) throw new QuarantineError(`${first.channel} event sent to the ${kind} adapter`);
      return first;
    },
    send(outbound: SocialOutbound): Promise<SocialSendResult> {
      const { target, text } = outbound;
      if (kind === 'facebook' && target.kind === 'messenger') return options.client.sendMessengerMessage(target.id, text);
      if (kind === 'facebook' && target.kind === 'facebook-comment') return options.client.replyToComment(target.id, text);
      if (kind === 'instagram' && target.kind === 'instagram-dm') return options.client.sendInstagramMessage(target.id, text);
      if (kind === 'instagram' && target.kind === 'instagram-comment') return options.client.replyToInstagramComment(target.id, text);
      if (kind === 'instagram' && target.kind === 'instagram-mention') return replyToMention(target.id, text);
      return Promise.reject(new ChannelValidationError('replyTarget', `the ${kind} channel cannot send to a ${target.kind}`));
    },
    classifySendError: classifyProviderError,
  };
}

export function createFacebookAdapter(options: MetaAdapterOptions): MetaAdapter {
  return createMetaAdapter('facebook', options);
}

export function createInstagramAdapter(options: MetaAdapterOptions): MetaAdapter {
  return createMetaAdapter('instagram', options);
}
