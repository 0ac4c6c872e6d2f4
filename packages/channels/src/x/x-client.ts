import type { SendErrorClass } from '../adapter';
import { isRecord, joinUrl, requestJson, retryAfterSeconds, str, type FetchLike, type JsonResponse } from '../social/http';
import type { SocialSendResult } from '../social/message';
import { ChannelValidationError, classifyHttpStatus, classifyProviderError, ProviderError } from '../social/provider-error';
import { buildMentionsRequest, parseMentionsResponse, rateLimitFromHeaders, X_DEFAULT_BASE_URL, type MentionsPage, type RateLimit } from './mentions';
import { oauth1Header, type OAuth1Credentials } from './oauth1';
import { X_DM_LIMIT, X_PUBLIC_LIMIT, xWeightedLength } from './text-length';

export interface XClientOptions {
  /** API origin, default https://api.x.com (the sandbox's url in tests and demos). */
  baseUrl?: string;
  /** OAuth 2.0 token. Posting needs a user-context token; an app-only token can only read mentions. */
  bearerToken?: string;
  /** OAuth 1.0a user context (the account's access token), used when no bearer token is given. */
  oauth1?: OAuth1Credentials;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface XClient {
  /** POST /2/tweets as a reply. Throws ChannelValidationError('body') above X_PUBLIC_LIMIT. */
  replyToTweet(text: string, inReplyToTweetId: string): Promise<SocialSendResult>;
  /** POST /2/dm_conversations/with/:participant_id/messages; the result is the DM event id. */
  sendDm(recipientId: string, text: string): Promise<SocialSendResult>;
  /** One page of the v2 mentions timeline, with the rate limit the response announced. */
  getMentions(input: { userId: string; sinceId?: string | null; paginationToken?: string | null }): Promise<MentionsPage & { rateLimit: RateLimit }>;
}

/** Text of an X error body: v2 problem (`detail`, `title`) or v1.1 `errors[].message`. */
function xErrorMessage(json: unknown): { message: string | null; code: string | null } {
  if (typeof json === 'string') return { message: json.slice(0, 500) || null, code: null };
  if (!isRecord(json)) return { message: null, code: null };
  const first = Array.isArray(json.errors) && isRecord(json.errors[0]) ? json.errors[0] : null;
  return {
    message: str(json.detail) ?? str(json.title) ?? str(first?.message) ?? str(first?.detail) ?? null,
    code: str(json.type) ?? str(first?.code) ?? str(first?.type) ?? null,
  };
}

export function xErrorFromResponse(res: JsonResponse): ProviderError {
  const { message, code } = xErrorMessage(res.json);
  let retryAfter = retryAfterSeconds(res.headers);
  if (retryAfter === null && res.status === 429) {
    const reset = rateLimitFromHeaders(res.headers).resetAt;
    if (reset) retryAfter = Math.max(0, Math.ceil((reset.getTime() - Date.now()) / 1000));
  }
  return new ProviderError({
    provider: 'x',
    status: res.status,
    classification: classifyHttpStatus(res.status),
    providerMessage: message,
    providerCode: code,
    retryAfterSeconds: retryAfter,
  });
}

export function assertXPublicText(text: string): void {
  if (text.trim() === '') throw new ChannelValidationError('body', 'must not be empty');
  const length = xWeightedLength(text);
  if (length > X_PUBLIC_LIMIT) {
    throw new ChannelValidationError('body', `a public X reply is limited to ${X_PUBLIC_LIMIT} characters (URLs count 23), got ${length}`);
  }
}

export function xClient(options: XClientOptions): XClient {
  const baseUrl = options.baseUrl ?? X_DEFAULT_BASE_URL;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  if (!options.bearerToken && !options.oauth1) throw new Error('xClient needs a bearerToken or oauth1 credentials');

  function authorization(method: string, url: string): string {
    if (options.bearerToken) return `Bearer ${options.bearerToken}`;
    return oauth1Header(method, url, options.oauth1 as OAuth1Credentials);
  }

  async function call(method: string, url: string, body?: unknown): Promise<JsonResponse> {
    const res = await requestJson(fetchImpl, 'x', url, { method, headers: { authorization: authorization(method, url) }, body, timeoutMs: options.timeoutMs });
    if (res.status >= 400) throw xErrorFromResponse(res);
    return res;
  }

  function dataField(res: JsonResponse, field: string): string {
    const data = isRecord(res.json) && isRecord(res.json.data) ? res.json.data : null;
    const id = str(data?.[field]);
    if (!id) throw new ProviderError({ provider: 'x', status: res.status, classification: 'permanent', providerMessage: `response without data.${field}` });
    return id;
  }

  return {
    async replyToTweet(text, inReplyToTweetId) {
      assertXPublicText(text);
      const res = await call('POST', joinUrl(baseUrl, '/2/tweets'), { text, reply: { in_reply_to_tweet_id: inReplyToTweetId } });
      return { providerMessageId: dataField(res, 'id') };
    },
    async sendDm(recipientId, text) {
      if (text.trim() === '') throw new ChannelValidationError('body', 'must not be empty');
      if ([...text].length > X_DM_LIMIT) throw new ChannelValidationError('body', `an X direct message is limited to ${X_DM_LIMIT} characters`);
      const res = await call('POST', joinUrl(baseUrl, `/2/dm_conversations/with/${encodeURIComponent(recipientId)}/messages`), { text });
      return { providerMessageId: dataField(res, 'dm_event_id') };
    },
    async getMentions(input) {
      const { method, url } = buildMentionsRequest({ ...input, baseUrl });
      const res = await call(method, url);
      return { ...parseMentionsResponse(res.json, { ownUserId: input.userId }), rateLimit: rateLimitFromHeaders(res.headers) };
    },
  };
}

/** temporary (429, 5xx, network) or permanent (other 4xx, validation). */
export function classifyXSendError(err: unknown): SendErrorClass {
  return classifyProviderError(err);
}
