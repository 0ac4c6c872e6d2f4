// X (Account Activity API) inbound events → NormalizedMessage.
//
// Threading scheme (see also mentions.ts for the v2 path):
// - tweets (mentions, replies, quotes): conversationKey = the conversation's root tweet id as far
//   as the payload knows it: `conversation_id` when present (v2, and some enterprise payloads),
//   else `in_reply_to_status_id_str` (the parent), else the tweet's own id. The parent id also
//   goes to `threading.inReplyTo`, so a reply to a tweet we already hold (e.g. our own reply) joins
//   that tweet's thread even when the two paths chose different keys. isPublic = true; the reply
//   target is the tweet itself.
// - direct messages: conversationKey = `dm:<sender user id>`, isPublic = false, reply target = the sender.
// Events authored by our own account (ownUserId) are dropped, so our replies never loop back.
// Retweets are dropped (no text of the customer's own); other event kinds (favorites, follows,
// deletes, typing indicators, read receipts) are not messages and are ignored.
import { QuarantineError, type NormalizedMessage, type SenderIdentity } from '../adapter';
import { isRecord, str } from '../social/http';
import { socialMessage } from '../social/message';

export interface XParseContext {
  ownUserId: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };

/** Parses X's v1.1 date format, `Wed Oct 10 20:19:24 +0000 2018`; null when it does not match. */
export function parseXDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const m = /^\w{3} (\w{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(value.trim());
  if (!m) return null;
  const [, mon, day, hh, mm, ss, sign, offH, offM, year] = m;
  const month = MONTHS[mon ?? ''];
  if (month === undefined) return null;
  const utc = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  const offset = (Number(offH) * 60 + Number(offM)) * 60_000 * (sign === '-' ? -1 : 1);
  return new Date(utc - offset);
}

export function xSender(userId: string, screenName: string | null, name: string | null): SenderIdentity {
  return { kind: 'x', value: userId, displayName: screenName ? `@${screenName}` : name, name };
}

export interface XTweetFields {
  id: string;
  text: string;
  authorId: string;
  screenName: string | null;
  name: string | null;
  conversationId: string | null;
  inReplyToTweetId: string | null;
  createdAt: Date | null;
  mentionedUserIds: string[];
}

/** Shared by the webhook and the v2 mentions path so both produce the same message for the same tweet. */
export function xTweetMessage(tweet: XTweetFields, ownUserId: string): NormalizedMessage {
  return socialMessage({
    channel: 'x',
    externalId: tweet.id,
    sender: xSender(tweet.authorId, tweet.screenName, tweet.name),
    text: tweet.text,
    sentAt: tweet.createdAt,
    isPublic: true,
    conversationKey: tweet.conversationId ?? tweet.inReplyToTweetId ?? tweet.id,
    replyTarget: { kind: 'x-tweet', id: tweet.id },
    recipientAccountId: ownUserId,
    inReplyTo: tweet.inReplyToTweetId,
    participants: tweet.mentionedUserIds.filter((id) => id !== tweet.authorId),
  });
}

function webhookTweet(raw: unknown): XTweetFields | null {
  if (!isRecord(raw)) throw new QuarantineError('x tweet event is not an object');
  if (raw.retweeted_status !== undefined && raw.retweeted_status !== null) return null;
  const id = str(raw.id_str) ?? str(raw.id);
  const user = isRecord(raw.user) ? raw.user : null;
  const authorId = user ? (str(user.id_str) ?? str(user.id)) : null;
  if (!id) throw new QuarantineError('x tweet without id_str');
  if (!authorId) throw new QuarantineError(`x tweet ${id} without user.id_str`);
  const extended = isRecord(raw.extended_tweet) ? raw.extended_tweet : null;
  const text = str(extended?.full_text) ?? str(raw.full_text) ?? str(raw.text) ?? '';
  const entities = isRecord(extended?.entities) ? extended.entities : isRecord(raw.entities) ? raw.entities : null;
  const mentions = Array.isArray(entities?.user_mentions) ? entities.user_mentions : [];
  return {
    id,
    text,
    authorId,
    screenName: str(user?.screen_name),
    name: str(user?.name),
    conversationId: str(raw.conversation_id_str) ?? str(raw.conversation_id),
    inReplyToTweetId: str(raw.in_reply_to_status_id_str),
    createdAt: parseXDate(raw.created_at),
    mentionedUserIds: mentions.flatMap((m) => (isRecord(m) && str(m.id_str) ? [str(m.id_str) as string] : [])),
  };
}

function dmMessage(raw: unknown, users: Record<string, unknown>, ownUserId: string): NormalizedMessage | null {
  if (!isRecord(raw)) throw new QuarantineError('x direct message event is not an object');
  if (raw.type !== 'message_create') return null;
  const id = str(raw.id);
  const create = isRecord(raw.message_create) ? raw.message_create : null;
  if (!id) throw new QuarantineError('x direct message without id');
  const senderId = str(create?.sender_id);
  if (!create || !senderId) throw new QuarantineError(`x direct message ${id} without message_create.sender_id`);
  if (senderId === ownUserId) return null;
  const data = isRecord(create.message_data) ? create.message_data : {};
  const target = isRecord(create.target) ? create.target : {};
  const user = isRecord(users[senderId]) ? (users[senderId] as Record<string, unknown>) : {};
  const ms = Number(str(raw.created_timestamp));
  const recipientId = str(target.recipient_id);
  return socialMessage({
    channel: 'x',
    externalId: id,
    sender: xSender(senderId, str(user.screen_name), str(user.name)),
    text: str(data.text) ?? '',
    sentAt: Number.isFinite(ms) && ms > 0 ? new Date(ms) : null,
    isPublic: false,
    conversationKey: `dm:${senderId}`,
    replyTarget: { kind: 'x-dm', id: senderId },
    recipientAccountId: ownUserId,
    participants: recipientId ? [recipientId] : [],
  });
}

/**
 * All messages of one Account Activity delivery, in payload order. Throws QuarantineError for a
 * payload that is not an Account Activity body or holds a malformed tweet or message (the raw body
 * is stored before parsing, so the caller quarantines it; split first with splitXWebhook to
 * quarantine one event rather than the delivery).
 */
export function parseXWebhook(body: unknown, ctx: XParseContext): NormalizedMessage[] {
  if (!isRecord(body)) throw new QuarantineError('x webhook body is not an object');
  const forUserId = str(body.for_user_id) ?? ctx.ownUserId;
  const own = ctx.ownUserId;
  const messages: NormalizedMessage[] = [];
  const tweets = Array.isArray(body.tweet_create_events) ? body.tweet_create_events : [];
  for (const raw of tweets) {
    const tweet = webhookTweet(raw);
    if (!tweet || tweet.authorId === own || tweet.authorId === forUserId) continue;
    messages.push(xTweetMessage(tweet, forUserId));
  }
  const users = isRecord(body.users) ? body.users : {};
  const dms = Array.isArray(body.direct_message_events) ? body.direct_message_events : [];
  for (const raw of dms) {
    const message = dmMessage(raw, users, own);
    if (message) messages.push({ ...message, recipientAccountId: forUserId });
  }
  return messages;
}

export interface XWebhookEvent {
  kind: 'tweet' | 'dm';
  /** Tweet id or DM event id: the event's idempotency id (null when the event has none). */
  externalId: string | null;
  /** An Account Activity body holding this one event (and the users map for a DM). */
  payload: Record<string, unknown>;
}

/**
 * Splits one delivery into single-event bodies so each can be stored and quarantined on its own.
 * Events that parse would drop anyway (authored by `ownUserId`, retweets, non-message DM events)
 * are left out, so nothing the pipeline stores is skipped later. An event without an id cannot be
 * keyed: it is returned with `externalId: null` and the caller stores it under a body hash.
 */
export function splitXWebhook(body: unknown, ctx: XParseContext): XWebhookEvent[] {
  if (!isRecord(body)) return [];
  const base = { for_user_id: body.for_user_id };
  const own = new Set([ctx.ownUserId, str(body.for_user_id)]);
  const events: XWebhookEvent[] = [];
  for (const raw of Array.isArray(body.tweet_create_events) ? body.tweet_create_events : []) {
    const tweet = isRecord(raw) ? raw : {};
    const user = isRecord(tweet.user) ? tweet.user : {};
    if (own.has(str(user.id_str) ?? str(user.id)) || (tweet.retweeted_status !== undefined && tweet.retweeted_status !== null)) continue;
    events.push({ kind: 'tweet', externalId: str(tweet.id_str) ?? str(tweet.id), payload: { ...base, tweet_create_events: [raw] } });
  }
  for (const raw of Array.isArray(body.direct_message_events) ? body.direct_message_events : []) {
    const dm = isRecord(raw) ? raw : {};
    const create = isRecord(dm.message_create) ? dm.message_create : {};
    if (dm.type !== undefined && dm.type !== 'message_create') continue;
    if (own.has(str(create.sender_id))) continue;
    events.push({ kind: 'dm', externalId: str(dm.id), payload: { ...base, direct_message_events: [raw], users: body.users } });
  }
  return events;
}
