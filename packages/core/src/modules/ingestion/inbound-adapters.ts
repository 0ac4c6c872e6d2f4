import type { DataSource } from 'typeorm';
import {
  AdapterRegistry,
  createEmailAdapter,
  createWebformAdapter,
  createFacebookAdapter,
  createInstagramAdapter,
  createXAdapter,
  graphClient,
  QuarantineError,
  type ChannelAdapter,
  type GraphClient,
  type InstagramMentionResolver,
  type XClient,
} from '@desk/channels';
import { MetaInboxSettings } from '../channels/social-channels';

/** Registry token of the adapters used to PARSE inbound payloads (sending goes through the delivery module). */
export const INBOUND_ADAPTERS = Symbol('INBOUND_ADAPTERS');

const refuse = (): Promise<never> => Promise.reject(new Error('the inbound adapter registry does not send'));

const refuseToSend = { sendMail: refuse };
const noX: XClient = { replyToTweet: refuse, sendDm: refuse, getMentions: refuse };
const noGraph: GraphClient = {
  sendMessengerMessage: refuse,
  sendInstagramMessage: refuse,
  replyToComment: refuse,
  replyToInstagramComment: refuse,
  replyToInstagramMention: refuse,
  getInstagramMention: refuse,
};

/**
 * Social events are stored as the JSON of ONE event (split at the webhook or the poller), so the
 * stored bytes are decoded before the adapter parses them; bytes that are not JSON are quarantined.
 * Our own account's events were dropped at the door, where the inbox settings are known.
 */
function jsonPayload(adapter: ChannelAdapter): ChannelAdapter {
  return {
    ...adapter,
    parse(payload, ctx) {
      let json: unknown = payload;
      if (Buffer.isBuffer(payload)) {
        try {
          json = JSON.parse(payload.toString('utf8'));
        } catch {
          throw new QuarantineError(`${adapter.kind} event is not JSON`);
        }
      }
      return adapter.parse(json, ctx);
    },
  };
}

/**
 * Instagram `mentions` events carry ids only; parsing one asks the Graph API (the inbox's page
 * token and `graphBaseUrl`, the sandbox in tests and demos) for the caption or comment. It runs in
 * the worker's ingest, after the raw event was stored: a temporary failure is retried by the ingest
 * job, a permanent one quarantines the event (see createInstagramAdapter).
 */
export function instagramMentionResolver(ds: DataSource): InstagramMentionResolver {
  return async (lookup, ctx) => {
    const [row]: Array<{ settings: unknown }> = await ds.query(`SELECT settings FROM inboxes WHERE id = $1`, [ctx.inboxId]);
    const settings = MetaInboxSettings.safeParse(row?.settings);
    if (!settings.success) throw new QuarantineError('instagram mention: the inbox has no Graph API credentials to look it up');
    const s = settings.data;
    return graphClient({ pageAccessToken: s.pageAccessToken, ...(s.graphBaseUrl ? { baseUrl: s.graphBaseUrl } : {}) }).getInstagramMention(lookup);
  };
}

/** Without a DataSource (unit tests), Instagram mention lookups are refused and such events quarantined. */
export function createInboundAdapters(ds?: DataSource): AdapterRegistry {
  const resolveInstagramMention: InstagramMentionResolver = ds
    ? instagramMentionResolver(ds)
    : () => Promise.reject(new QuarantineError('instagram mention lookups are not configured'));
  return new AdapterRegistry([
    createEmailAdapter({ transport: refuseToSend }),
    // the web form stores the validated submission as JSON; its adapter decodes the bytes itself
    createWebformAdapter() as ChannelAdapter,
    jsonPayload(createXAdapter({ client: noX, ownUserId: '' }) as ChannelAdapter),
    jsonPayload(createFacebookAdapter({ client: noGraph, ownIds: [] }) as ChannelAdapter),
    jsonPayload(createInstagramAdapter({ client: noGraph, ownIds: [], resolveInstagramMention }) as ChannelAdapter),
  ]);
}
