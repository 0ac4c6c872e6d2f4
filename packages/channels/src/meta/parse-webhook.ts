// Meta (Facebook Page and Instagram) webhook deliveries → NormalizedMessage.
//
// Conversation keys (one thread per (inbox, key)):
// - Messenger:          `fb-dm:<psid>`                 private, reply via the Send API to the PSID
// - Instagram DM:       `ig-dm:<igsid>`                private, reply via the Send API to the IGSID
// - Page comment/post:  `fb-post:<post_id>:<from id>`  public, reply as a comment on the comment/post
// - Instagram comment:  `ig-media:<media_id>:<from id>` public, reply via /<comment>/replies
// Comments are keyed per post AND per customer: a busy post gathers comments from many people,
// and each of them is a separate conversation with its own contact, SLA and assignee (one thread
// per customer per post). The parent comment id also goes to threading.inReplyTo.
//
// Dropped: echoes (`message.is_echo`, our own sends), events from our own page/account ids
// (ctx.ownIds), deleted/edited/removed items, reactions, likes, deliveries, reads, postbacks.
// Instagram `mentions` changes carry only ids; they are returned by instagramMentionLookups and
// become messages once the Graph API gave their text (see graph-client.ts).
import { QuarantineError, type NormalizedMessage } from '../adapter';
import { isRecord, str } from '../social/http';
import { socialMessage } from '../social/message';

export interface MetaParseContext {
  /** Our Facebook page ids and Instagram account ids. */
  ownIds: string[];
}

type Json = Record<string, unknown>;

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Meta sends ms timestamps on messaging events, unix seconds (or ISO strings) on changes. */
export function metaTime(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e12 ? value * 1000 : value);
  if (typeof value === 'string' && value !== '') {
    if (/^\d+$/.test(value)) return metaTime(Number(value));
    // Graph's ISO form has a `+0000` offset, which Date.parse accepts.
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

function attachmentText(message: Json): string {
  const kinds = records(message.attachments).map((a) => str(a.type) ?? 'file');
  return kinds.map((k) => `[${k}]`).join(' ');
}

function messagingEvent(event: Json, network: 'facebook' | 'instagram', accountId: string, own: Set<string>): NormalizedMessage | null {
  const message = isRecord(event.message) ? event.message : null;
  if (!message || message.is_echo === true || message.is_deleted === true || message.is_unsupported === true) return null;
  const senderId = isRecord(event.sender) ? str(event.sender.id) : null;
  const mid = str(message.mid);
  if (!senderId) throw new QuarantineError(`${network} message without sender.id`);
  if (!mid) throw new QuarantineError(`${network} message without message.mid`);
  if (own.has(senderId)) return null;
  const recipientId = isRecord(event.recipient) ? str(event.recipient.id) : null;
  const fb = network === 'facebook';
  return socialMessage({
    channel: network,
    externalId: mid,
    sender: { kind: network, value: senderId, displayName: null },
    text: str(message.text) ?? attachmentText(message),
    sentAt: metaTime(event.timestamp),
    isPublic: false,
    conversationKey: `${fb ? 'fb-dm' : 'ig-dm'}:${senderId}`,
    replyTarget: { kind: fb ? 'messenger' : 'instagram-dm', id: senderId },
    recipientAccountId: recipientId ?? accountId,
    inReplyTo: isRecord(message.reply_to) ? str(message.reply_to.mid) : null,
  });
}

function facebookFrom(value: Json): { id: string | null; name: string | null } {
  if (isRecord(value.from)) return { id: str(value.from.id), name: str(value.from.name) };
  return { id: str(value.sender_id), name: str(value.sender_name) };
}

function mentionsPage(value: Json, pageId: string): boolean {
  return records(value.message_tags).some((t) => str(t.id) === pageId);
}

function facebookChange(change: Json, pageId: string, own: Set<string>): NormalizedMessage | null {
  const field = str(change.field);
  const value = isRecord(change.value) ? change.value : null;
  if (!value || (field !== 'feed' && field !== 'mention')) return null;
  const item = str(value.item);
  const verb = str(value.verb) ?? 'add';
  if (verb !== 'add' || (item !== 'comment' && item !== 'post' && item !== 'status')) return null;
  const postId = str(value.post_id);
  const commentId = item === 'comment' ? str(value.comment_id) : null;
  const externalId = commentId ?? postId;
  if (!postId || !externalId) throw new QuarantineError(`facebook ${field} ${item} without post_id${item === 'comment' ? '/comment_id' : ''}`);
  const from = facebookFrom(value);
  if (!from.id) throw new QuarantineError(`facebook ${field} ${item} ${externalId} without sender`);
  if (own.has(from.id)) return null;
  const parentId = str(value.parent_id);
  return socialMessage({
    channel: 'facebook',
    externalId,
    sender: { kind: 'facebook', value: from.id, displayName: from.name, name: from.name },
    text: str(value.message) ?? '',
    sentAt: metaTime(value.created_time),
    isPublic: true,
    conversationKey: `fb-post:${postId}:${from.id}`,
    replyTarget: { kind: 'facebook-comment', id: externalId },
    recipientAccountId: pageId,
    inReplyTo: commentId && parentId && parentId !== postId ? parentId : null,
    participants: field === 'mention' || mentionsPage(value, pageId) ? [pageId] : [],
  });
}

function instagramChange(change: Json, accountId: string, own: Set<string>): NormalizedMessage | null {
  if (change.field !== 'comments') return null;
  const value = isRecord(change.value) ? change.value : null;
  if (!value) throw new QuarantineError('instagram comments change without value');
  const id = str(value.id);
  const from = isRecord(value.from) ? value.from : {};
  const fromId = str(from.id);
  const mediaId = isRecord(value.media) ? str(value.media.id) : str(value.media_id);
  if (!id || !fromId || !mediaId) throw new QuarantineError('instagram comment without id, from.id or media.id');
  if (own.has(fromId)) return null;
  const username = str(from.username);
  return socialMessage({
    channel: 'instagram',
    externalId: id,
    sender: { kind: 'instagram', value: fromId, displayName: username ? `@${username}` : null },
    text: str(value.text) ?? '',
    sentAt: metaTime(value.timestamp ?? value.created_time),
    isPublic: true,
    conversationKey: `ig-media:${mediaId}:${fromId}`,
    replyTarget: { kind: 'instagram-comment', id },
    recipientAccountId: accountId,
    inReplyTo: str(value.parent_id),
  });
}

/**
 * All messages of one Meta delivery, in payload order. `object` must be `page` or `instagram`;
 * anything else, or a malformed message/comment, throws QuarantineError (the raw body is kept).
 */
export function parseMetaWebhook(body: unknown, ctx: MetaParseContext): NormalizedMessage[] {
  if (!isRecord(body)) throw new QuarantineError('meta webhook body is not an object');
  const object = body.object;
  if (object !== 'page' && object !== 'instagram') throw new QuarantineError(`meta webhook object "${String(object)}" is not supported`);
  const network = object === 'page' ? 'facebook' : 'instagram';
  const messages: NormalizedMessage[] = [];
  for (const entry of records(body.entry)) {
    const accountId = str(entry.id) ?? '';
    const own = new Set([...ctx.ownIds, accountId]);
    for (const event of records(entry.messaging)) {
      const message = messagingEvent(event, network, accountId, own);
      if (message) messages.push(message);
    }
    for (const change of records(entry.changes)) {
      const message = network === 'facebook' ? facebookChange(change, accountId, own) : instagramChange(change, accountId, own);
      if (message) messages.push(message);
    }
  }
  return messages;
}

export interface InstagramMentionLookup {
  /** Our Instagram account id (the entry id): the node to query `mentioned_comment`/`mentioned_media` on. */
  igUserId: string;
  mediaId: string;
  /** null when we were mentioned in the media's caption rather than in a comment. */
  commentId: string | null;
}

/** Instagram `mentions` changes: ids only; fetch them with graphClient.getInstagramMention. */
export function instagramMentionLookups(body: unknown): InstagramMentionLookup[] {
  if (!isRecord(body) || body.object !== 'instagram') return [];
  const lookups: InstagramMentionLookup[] = [];
  for (const entry of records(body.entry)) {
    const igUserId = str(entry.id);
    for (const change of records(entry.changes)) {
      const value = isRecord(change.value) ? change.value : null;
      const mediaId = str(value?.media_id);
      if (change.field !== 'mentions' || !igUserId || !value || !mediaId) continue;
      lookups.push({ igUserId, mediaId, commentId: str(value.comment_id) });
    }
  }
  return lookups;
}

export interface InstagramMention {
  /** Comment id, or media id for a caption mention. */
  id: string;
  mediaId: string;
  text: string;
  username: string | null;
  /** The author's Instagram user id when the Graph API gave `from`, else null. */
  fromId: string | null;
  timestamp: string | null;
}

/**
 * The id of an `instagram-mention` reply target: what `POST /{ig-user-id}/mentions` needs besides
 * our account id (the inbox's igUserId): the media, and the comment when we were mentioned in one.
 * Graph ids are digits, so `:` cannot occur inside either part.
 */
export function instagramMentionTargetId(mediaId: string, commentId: string | null): string {
  return commentId ? `${mediaId}:${commentId}` : mediaId;
}

/** Reverses instagramMentionTargetId; null for an id it did not make. */
export function parseInstagramMentionTargetId(id: string): { mediaId: string; commentId: string | null } | null {
  const [mediaId, commentId, ...rest] = id.split(':');
  if (!mediaId || commentId === '' || rest.length > 0) return null;
  return { mediaId, commentId: commentId ?? null };
}

/**
 * An Instagram mention, once fetched, as a message. It sits in someone else's media, where
 * `POST /{comment-id}/replies` is refused: the reply goes through `POST /{ig-user-id}/mentions`
 * (an `instagram-mention` target), public like a comment reply. Without the author's id (caption mentions give
 * only a username) the identity value is `@<username>`; the contact matcher normalizes handles.
 */
export function instagramMentionToNormalized(mention: InstagramMention, igUserId: string): NormalizedMessage {
  const senderValue = mention.fromId ?? (mention.username ? `@${mention.username.toLowerCase()}` : null);
  if (!senderValue) throw new QuarantineError(`instagram mention ${mention.id} without author`);
  return socialMessage({
    channel: 'instagram',
    externalId: mention.id,
    sender: { kind: 'instagram', value: senderValue, displayName: mention.username ? `@${mention.username}` : null },
    text: mention.text,
    sentAt: metaTime(mention.timestamp),
    isPublic: true,
    conversationKey: `ig-media:${mention.mediaId}:${senderValue}`,
    // a caption mention's id is the media id (see InstagramMention.id)
    replyTarget: { kind: 'instagram-mention', id: instagramMentionTargetId(mention.mediaId, mention.id === mention.mediaId ? null : mention.id) },
    recipientAccountId: igUserId,
    participants: [igUserId],
  });
}
