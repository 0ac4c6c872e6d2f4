import {
  AdapterRegistry,
  createEmailAdapter,
  createWebformAdapter,
  createFacebookAdapter,
  createInstagramAdapter,
  createXAdapter,
  QuarantineError,
  type ChannelAdapter,
  type GraphClient,
  type XClient,
} from '@desk/channels';

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

export function createInboundAdapters(): AdapterRegistry {
  return new AdapterRegistry([
    createEmailAdapter({ transport: refuseToSend }),
    // the web form stores the validated submission as JSON; its adapter decodes the bytes itself
    createWebformAdapter() as ChannelAdapter,
    jsonPayload(createXAdapter({ client: noX, ownUserId: '' }) as ChannelAdapter),
    jsonPayload(createFacebookAdapter({ client: noGraph, ownIds: [] }) as ChannelAdapter),
    jsonPayload(createInstagramAdapter({ client: noGraph, ownIds: [] }) as ChannelAdapter),
  ]);
}
