import { z } from 'zod';
import {
  assertXPublicText,
  ChannelValidationError,
  createFacebookAdapter,
  createInstagramAdapter,
  createXAdapter,
  FACEBOOK_COMMENT_LIMIT,
  graphClient,
  INSTAGRAM_COMMENT_LIMIT,
  INSTAGRAM_DM_TEXT_LIMIT,
  MESSENGER_TEXT_LIMIT,
  X_DM_LIMIT,
  xClient,
  type ChannelAdapter,
  type ReplyTarget,
  type ReplyTargetKind,
  type SocialOutbound,
  type SocialSendResult,
} from '@desk/channels';
import type { ChannelKind } from '@desk/contracts';

// Inbox.settings of the social channels. Credentials live here, read only through these schemas.

export const XInboxSettings = z.object({
  /** Our account's user id: its own tweets and DMs are ignored, mentions are polled for it. */
  userId: z.string().min(1),
  /** App consumer secret: CRC answers and webhook signatures. */
  consumerSecret: z.string().min(1),
  bearerToken: z.string().min(1).optional(),
  oauth1: z
    .object({ consumerKey: z.string().min(1), consumerSecret: z.string().min(1), accessToken: z.string().min(1), accessTokenSecret: z.string().min(1) })
    .optional(),
  /** API origin, default https://api.x.com (the sandbox in tests and demos). */
  apiBaseUrl: z.string().url().optional(),
  webhook: z.boolean().default(true),
  pollMentions: z.boolean().default(false),
});
export type XInboxSettings = z.infer<typeof XInboxSettings>;

export const MetaInboxSettings = z.object({
  pageId: z.string().min(1).optional(),
  igUserId: z.string().min(1).optional(),
  appSecret: z.string().min(1),
  verifyToken: z.string().min(1),
  pageAccessToken: z.string().min(1),
  /** Graph API base including the version, default https://graph.facebook.com/v21.0. */
  graphBaseUrl: z.string().url().optional(),
});
export type MetaInboxSettings = z.infer<typeof MetaInboxSettings>;

type SocialAdapter = ChannelAdapter<unknown, SocialOutbound, SocialSendResult>;

/**
 * What the channel-neutral outbox and deliver job need to know about one social channel. The
 * only place (outside packages/channels) that knows the kinds of reply targets each network has.
 */
export interface SocialChannelDriver {
  readonly kind: ChannelKind;
  /** Our own account ids from the inbox settings (their events are never customer messages). */
  ownIds(settings: unknown): string[];
  /** The sending adapter for one inbox, with the inbox's credentials and base URL. */
  outbound(settings: unknown): SocialAdapter;
  /**
   * The public and the private reply kinds of the network, and whether a private reply can go to
   * the sender's id. There can be several public kinds (Instagram: a comment reply, and a reply to
   * a mention in someone else's media), all public replies with the same limit: test a target
   * with isPublicTarget.
   */
  readonly publicKinds: readonly ReplyTargetKind[];
  readonly privateKind: ReplyTargetKind;
  readonly privateToSender: boolean;
  /** Throws ChannelValidationError('body') when the text breaks the target's rules. */
  validate(text: string, target: ReplyTarget): void;
}

function limit(text: string, max: number, what: string): void {
  if (text.trim() === '') throw new ChannelValidationError('body', 'must not be empty');
  if ([...text].length > max) throw new ChannelValidationError('body', `${what} is limited to ${max} characters`);
}

const xDriver: SocialChannelDriver = {
  kind: 'x',
  ownIds: (settings) => [XInboxSettings.parse(settings).userId],
  outbound(settings) {
    const s = XInboxSettings.parse(settings);
    const client = xClient({ ...(s.apiBaseUrl ? { baseUrl: s.apiBaseUrl } : {}), ...(s.bearerToken ? { bearerToken: s.bearerToken } : {}), ...(s.oauth1 ? { oauth1: s.oauth1 } : {}) });
    return createXAdapter({ client, ownUserId: s.userId }) as SocialAdapter;
  },
  publicKinds: ['x-tweet'],
  privateKind: 'x-dm',
  privateToSender: true,
  validate(text, target) {
    if (target.kind === 'x-tweet') assertXPublicText(text);
    else limit(text, X_DM_LIMIT, 'an X direct message');
  },
};

function metaDriver(kind: 'facebook' | 'instagram'): SocialChannelDriver {
  const ids = (settings: unknown) => {
    const s = MetaInboxSettings.parse(settings);
    return [s.pageId, s.igUserId].filter((x): x is string => !!x);
  };
  return {
    kind,
    ownIds: ids,
    outbound(settings) {
      const s = MetaInboxSettings.parse(settings);
      const client = graphClient({ pageAccessToken: s.pageAccessToken, ...(s.graphBaseUrl ? { baseUrl: s.graphBaseUrl } : {}) });
      const make = kind === 'facebook' ? createFacebookAdapter : createInstagramAdapter;
      // igUserId: the account a reply to an Instagram mention is posted from
      return make({ client, ownIds: ids(settings), ...(s.igUserId ? { igUserId: s.igUserId } : {}) }) as SocialAdapter;
    },
    publicKinds: kind === 'facebook' ? ['facebook-comment'] : ['instagram-comment', 'instagram-mention'],
    privateKind: kind === 'facebook' ? 'messenger' : 'instagram-dm',
    // a private reply to a commenter needs the Private Replies API, which we do not call yet
    privateToSender: false,
    validate(text, target) {
      const limits: Partial<Record<ReplyTargetKind, [number, string]>> = {
        messenger: [MESSENGER_TEXT_LIMIT, 'a Messenger message'],
        'instagram-dm': [INSTAGRAM_DM_TEXT_LIMIT, 'an Instagram message'],
        'facebook-comment': [FACEBOOK_COMMENT_LIMIT, 'a Facebook comment'],
        'instagram-comment': [INSTAGRAM_COMMENT_LIMIT, 'an Instagram comment'],
        // a reply to a mention is an Instagram comment too, on someone else's media
        'instagram-mention': [INSTAGRAM_COMMENT_LIMIT, 'an Instagram comment'],
      };
      const [max, what] = limits[target.kind] ?? [0, target.kind];
      limit(text, max, what);
    },
  };
}

const DRIVERS = new Map<string, SocialChannelDriver>([xDriver, metaDriver('facebook'), metaDriver('instagram')].map((d) => [d.kind, d]));

/** Whether a reply to `target` is public on the driver's network (a comment or mention reply, a public tweet). */
export function isPublicTarget(driver: SocialChannelDriver, target: Pick<ReplyTarget, 'kind'>): boolean {
  return driver.publicKinds.includes(target.kind);
}

/** The social channel driver of a kind, or null for channels that are not social (email, webform). */
export function socialDriver(kind: string): SocialChannelDriver | null {
  return DRIVERS.get(kind) ?? null;
}
