// Builders of the webhook payloads the networks document, in the same shapes as the fixtures of
// @desk/channels (src/x/__fixtures__, src/meta/__fixtures__). One event per payload.
import { graphId, messageId, snowflake } from './ids';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** X v1.1 `created_at`: `Wed Oct 10 20:19:24 +0000 2018`. */
export function xCreatedAt(d: Date): string {
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}

export interface XUserInput {
  id: string;
  screenName: string;
  name?: string;
}

/** Account Activity `tweet_create_events` delivery with one tweet mentioning `forUserId`. */
export function xMention(input: {
  forUserId: string;
  forScreenName?: string;
  user: XUserInput;
  text: string;
  id?: string;
  inReplyToStatusId?: string | null;
  createdAt?: Date;
}): Record<string, unknown> {
  const id = input.id ?? snowflake();
  const createdAt = input.createdAt ?? new Date();
  const ownName = input.forScreenName ?? 'AcmeSupport';
  return {
    for_user_id: input.forUserId,
    tweet_create_events: [
      {
        created_at: xCreatedAt(createdAt),
        id_str: id,
        text: input.text,
        truncated: false,
        in_reply_to_status_id_str: input.inReplyToStatusId ?? null,
        in_reply_to_user_id_str: input.inReplyToStatusId ? input.forUserId : null,
        user: { id_str: input.user.id, screen_name: input.user.screenName, name: input.user.name ?? input.user.screenName },
        entities: { hashtags: [], urls: [], user_mentions: [{ screen_name: ownName, name: ownName, id_str: input.forUserId, indices: [0, ownName.length + 1] }] },
        timestamp_ms: String(createdAt.getTime()),
      },
    ],
  };
}

/** Account Activity `direct_message_events` delivery with one message to `forUserId`. */
export function xDm(input: { forUserId: string; sender: XUserInput; text: string; id?: string; createdAt?: Date }): Record<string, unknown> {
  const createdAt = input.createdAt ?? new Date();
  return {
    for_user_id: input.forUserId,
    direct_message_events: [
      {
        type: 'message_create',
        id: input.id ?? snowflake(),
        created_timestamp: String(createdAt.getTime()),
        message_create: { target: { recipient_id: input.forUserId }, sender_id: input.sender.id, message_data: { text: input.text, entities: {} } },
      },
    ],
    users: {
      [input.sender.id]: { id: input.sender.id, name: input.sender.name ?? input.sender.screenName, screen_name: input.sender.screenName },
    },
  };
}

function pageEntry(pageId: string, body: Record<string, unknown>, object: 'page' | 'instagram' = 'page'): Record<string, unknown> {
  return { object, entry: [{ id: pageId, time: Date.now(), ...body }] };
}

/** Messenger `messages` event to the page from a PSID. */
export function messengerMessage(input: { pageId: string; psid: string; text: string; mid?: string; timestamp?: number }): Record<string, unknown> {
  return pageEntry(input.pageId, {
    messaging: [
      { sender: { id: input.psid }, recipient: { id: input.pageId }, timestamp: input.timestamp ?? Date.now(), message: { mid: input.mid ?? messageId(), text: input.text } },
    ],
  });
}

/** Page `feed` change: a comment added to a post (parentId = another comment for a reply). */
export function fbComment(input: {
  pageId: string;
  postId?: string;
  commentId?: string;
  parentId?: string;
  from: { id: string; name: string };
  message: string;
  createdTime?: number;
}): Record<string, unknown> {
  const postId = input.postId ?? `${input.pageId}_${graphId()}`;
  const postPart = postId.split('_')[1] ?? postId;
  return pageEntry(input.pageId, {
    changes: [
      {
        field: 'feed',
        value: {
          from: input.from,
          post_id: postId,
          comment_id: input.commentId ?? `${postPart}_${graphId()}`,
          parent_id: input.parentId ?? postId,
          message: input.message,
          created_time: input.createdTime ?? Math.floor(Date.now() / 1000),
          item: 'comment',
          verb: 'add',
        },
      },
    ],
  });
}

/** Instagram `comments` change on one of our media. */
export function igComment(input: {
  igUserId: string;
  mediaId?: string;
  commentId?: string;
  parentId?: string;
  from: { id: string; username: string };
  text: string;
}): Record<string, unknown> {
  const value: Record<string, unknown> = {
    from: input.from,
    media: { id: input.mediaId ?? graphId(), media_product_type: 'FEED' },
    id: input.commentId ?? graphId(),
    text: input.text,
  };
  if (input.parentId) value.parent_id = input.parentId;
  return pageEntry(input.igUserId, { changes: [{ field: 'comments', value }] }, 'instagram');
}

/** Instagram messaging event from an IGSID to our account. */
export function igDm(input: { igUserId: string; igsid: string; text: string; mid?: string; timestamp?: number }): Record<string, unknown> {
  return pageEntry(
    input.igUserId,
    {
      messaging: [
        { sender: { id: input.igsid }, recipient: { id: input.igUserId }, timestamp: input.timestamp ?? Date.now(), message: { mid: input.mid ?? messageId('aWdf'), text: input.text } },
      ],
    },
    'instagram',
  );
}

/**
 * Instagram `mentions` change: our account was @mentioned in the caption of a media (no
 * `commentId`) or in a comment. It carries ids only; the desk looks the text up through the Graph
 * API (the sandbox answers from `addInstagramMedia` / `addInstagramMentionComment`).
 */
export function igMention(input: { igUserId: string; mediaId: string; commentId?: string }): Record<string, unknown> {
  const value: Record<string, unknown> = { media_id: input.mediaId };
  if (input.commentId) value.comment_id = input.commentId;
  return pageEntry(input.igUserId, { changes: [{ field: 'mentions', value }] }, 'instagram');
}
