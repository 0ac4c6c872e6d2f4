// v2 mentions timeline polling, for accounts without Account Activity access. Produces the same
// NormalizedMessage (same externalId = tweet id) as the webhook, so both paths deduplicate.
import { QuarantineError, type NormalizedMessage } from '../adapter';
import { isRecord, joinUrl, str } from '../social/http';
import { xTweetMessage } from './parse-webhook';

export const X_DEFAULT_BASE_URL = 'https://api.x.com';

export interface MentionsRequestInput {
  userId: string;
  sinceId?: string | null;
  baseUrl?: string;
  maxResults?: number;
  paginationToken?: string | null;
}

export function buildMentionsRequest(input: MentionsRequestInput): { method: 'GET'; url: string } {
  const params = new URLSearchParams({
    'tweet.fields': 'author_id,conversation_id,created_at,in_reply_to_user_id,referenced_tweets',
    expansions: 'author_id',
    'user.fields': 'username,name',
    max_results: String(input.maxResults ?? 100),
  });
  if (input.sinceId) params.set('since_id', input.sinceId);
  if (input.paginationToken) params.set('pagination_token', input.paginationToken);
  const path = `/2/users/${encodeURIComponent(input.userId)}/mentions?${params.toString()}`;
  return { method: 'GET', url: joinUrl(input.baseUrl ?? X_DEFAULT_BASE_URL, path) };
}

export interface MentionsPage {
  /** Oldest first, so they enter the pipeline in the order they were written. */
  messages: NormalizedMessage[];
  /** `meta.newest_id`: the next `since_id` checkpoint, or null when the page was empty. */
  newestId: string | null;
  /** `meta.next_token`: more (older) results remain within this since_id window. */
  nextToken: string | null;
}

/** One page of GET /2/users/:id/mentions → messages. Tweets by our own account are dropped. */
export function parseMentionsResponse(json: unknown, ctx: { ownUserId: string }): MentionsPage {
  if (!isRecord(json)) throw new QuarantineError('x mentions response is not an object');
  const meta = isRecord(json.meta) ? json.meta : {};
  const users = new Map<string, Record<string, unknown>>();
  const includes = isRecord(json.includes) ? json.includes : {};
  for (const u of Array.isArray(includes.users) ? includes.users : []) {
    if (isRecord(u) && str(u.id)) users.set(str(u.id) as string, u);
  }
  const messages: NormalizedMessage[] = [];
  for (const t of Array.isArray(json.data) ? json.data : []) {
    if (!isRecord(t)) continue;
    const id = str(t.id);
    const authorId = str(t.author_id);
    if (!id || !authorId) throw new QuarantineError('x v2 tweet without id or author_id');
    if (authorId === ctx.ownUserId) continue;
    const refs = Array.isArray(t.referenced_tweets) ? t.referenced_tweets : [];
    if (refs.some((r) => isRecord(r) && r.type === 'retweeted')) continue;
    const repliedTo = refs.find((r) => isRecord(r) && r.type === 'replied_to');
    const user = users.get(authorId);
    const created = str(t.created_at);
    const createdAt = created ? new Date(created) : null;
    messages.push(
      xTweetMessage(
        {
          id,
          text: str(t.text) ?? '',
          authorId,
          screenName: str(user?.username),
          name: str(user?.name),
          conversationId: str(t.conversation_id),
          inReplyToTweetId: isRecord(repliedTo) ? str(repliedTo.id) : null,
          createdAt: createdAt && !Number.isNaN(createdAt.getTime()) ? createdAt : null,
          mentionedUserIds: [ctx.ownUserId],
        },
        ctx.ownUserId,
      ),
    );
  }
  messages.sort((a, b) => compareTweetIds(a.externalId, b.externalId));
  return { messages, newestId: str(meta.newest_id), nextToken: str(meta.next_token) };
}

/** Tweet ids are 64-bit snowflakes: compare as integers (they outgrow Number). */
export function compareTweetIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RateLimit {
  /** Requests left in the current window, or null when the header is absent. */
  remaining: number | null;
  limit: number | null;
  /** When the window resets (x-rate-limit-reset is epoch seconds), or null. */
  resetAt: Date | null;
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | null {
  if (headers instanceof Headers) return headers.get(name);
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function intHeader(headers: HeaderSource, name: string): number | null {
  const value = header(headers, name);
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}

export function rateLimitFromHeaders(headers: HeaderSource): RateLimit {
  const reset = intHeader(headers, 'x-rate-limit-reset');
  return {
    remaining: intHeader(headers, 'x-rate-limit-remaining'),
    limit: intHeader(headers, 'x-rate-limit-limit'),
    resetAt: reset === null ? null : new Date(reset * 1000),
  };
}

/** When the next poll may run: now when calls remain, else at the window's reset. */
export function nextPollAt(rate: RateLimit, now: Date, minIntervalMs = 60_000): Date {
  const earliest = new Date(now.getTime() + minIntervalMs);
  if (rate.remaining !== null && rate.remaining <= 0 && rate.resetAt && rate.resetAt > earliest) return rate.resetAt;
  return earliest;
}
