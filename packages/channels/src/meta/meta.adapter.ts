import { QuarantineError, type ChannelAdapter, type ChannelCapabilities, type NormalizedMessage, type ParseContext } from '../adapter';
import type { SocialSendResult } from '../social/message';
import { socialIdempotencyKey } from '../social/message';
import { ChannelValidationError, classifyProviderError } from '../social/provider-error';
import type { SocialOutbound } from '../x/x.adapter';
import type { GraphClient } from './graph-client';
import { parseMetaWebhook, type MetaParseContext } from './parse-webhook';

export type MetaInboundPayload = Record<string, unknown>;
export type MetaAdapter = ChannelAdapter<MetaInboundPayload, SocialOutbound, SocialSendResult>;

/**
 * Single-event Meta bodies, so each message is stored and quarantined on its own: each messaging
 * event and each change becomes `{ object, entry: [{ id, time, messaging|changes: [one] }] }`.
 * The id is the mid / comment id / post id when the event has one. Events parse would drop
 * (echoes, our own comments, edits, reactions, reads) are left out; malformed ones are kept so the
 * pipeline quarantines them. Instagram `mentions` go through instagramMentionLookups instead.
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
      const id = [v.comment_id, v.id, v.post_id].find((x) => typeof x === 'string') as string | undefined;
      out.push({ externalId: id ?? null, payload: { object, entry: [{ ...head, changes: [c] }] } });
    }
  }
  return out.filter(({ payload }) => {
    try {
      return parseMetaWebhook(payload, ctx).length > 0;
    } catch {
      return true;
    }
  });
}

function createMetaAdapter(kind: 'facebook' | 'instagram', options: { client: GraphClient; ownIds: string[] }): MetaAdapter {
  const capabilities: ChannelCapabilities = { canInitiate: false, attachments: false, html: false, maxAttachmentBytes: null };
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
      return Promise.reject(new ChannelValidationError('replyTarget', `the ${kind} channel cannot send to a ${target.kind}`));
    },
    classifySendError: classifyProviderError,
  };
}

export function createFacebookAdapter(options: { client: GraphClient; ownIds: string[] }): MetaAdapter {
  return createMetaAdapter('facebook', options);
}

export function createInstagramAdapter(options: { client: GraphClient; ownIds: string[] }): MetaAdapter {
  return createMetaAdapter('instagram', options);
}
