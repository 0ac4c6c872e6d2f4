import { isRecord, joinUrl, requestJson, retryAfterSeconds, str, type FetchLike, type JsonResponse } from '../social/http';
import type { SocialSendResult } from '../social/message';
import { ChannelValidationError, classifyHttpStatus, ProviderError } from '../social/provider-error';
import type { InstagramMention, InstagramMentionLookup } from './parse-webhook';

export const GRAPH_DEFAULT_BASE_URL = 'https://graph.facebook.com/v21.0';
/** Send API text limits (Messenger 2000, Instagram 1000 characters) and comment limits. */
export const MESSENGER_TEXT_LIMIT = 2000;
export const INSTAGRAM_DM_TEXT_LIMIT = 1000;
export const FACEBOOK_COMMENT_LIMIT = 8000;
export const INSTAGRAM_COMMENT_LIMIT = 2200;

export interface GraphClientOptions {
  /** Graph API base including the version, default https://graph.facebook.com/v21.0. */
  baseUrl?: string;
  /** Page access token (Instagram professional accounts are reached through their linked page). */
  pageAccessToken: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

export interface GraphClient {
  /** Send API, messaging_type RESPONSE (inside the 24-hour window); the result is the message id. */
  sendMessengerMessage(psid: string, text: string): Promise<SocialSendResult>;
  sendInstagramMessage(igsid: string, text: string): Promise<SocialSendResult>;
  /** Facebook: POST /<comment-or-post-id>/comments; Instagram: POST /<ig-comment-id>/replies. */
  replyToComment(commentId: string, text: string, options?: { network?: 'facebook' | 'instagram' }): Promise<SocialSendResult>;
  replyToInstagramComment(commentId: string, text: string): Promise<SocialSendResult>;
  /**
   * A reply to a mention of us in someone else's media (where `/replies` is refused):
   * `POST /{ig-user-id}/mentions` with `media_id`, `comment_id` for a comment mention, and `message`.
   */
  replyToInstagramMention(igUserId: string, mediaId: string, commentId: string | null, text: string): Promise<SocialSendResult>;
  /** Fetches the text and author of an Instagram mention the webhook announced by id only. */
  getInstagramMention(lookup: InstagramMentionLookup): Promise<InstagramMention>;
}

// Graph error codes that mean "later": 1/2 service hiccups, 4/17/32/613 rate limits, 341 app limit.
const TEMPORARY_GRAPH_CODES = new Set([1, 2, 4, 17, 32, 341, 613]);

export function graphErrorFromResponse(res: JsonResponse): ProviderError {
  const error = isRecord(res.json) && isRecord(res.json.error) ? res.json.error : null;
  const code = typeof error?.code === 'number' ? error.code : null;
  const subcode = typeof error?.error_subcode === 'number' ? error.error_subcode : null;
  // Rate limits come back as HTTP 400 with a code, so the code decides before the status.
  const temporary = error?.is_transient === true || (code !== null && TEMPORARY_GRAPH_CODES.has(code));
  return new ProviderError({
    provider: 'graph',
    status: res.status,
    classification: temporary ? 'temporary' : classifyHttpStatus(res.status),
    providerMessage: str(error?.message) ?? (typeof res.json === 'string' ? res.json.slice(0, 500) : null),
    providerCode: code === null ? null : subcode === null ? String(code) : `${code}/${subcode}`,
    retryAfterSeconds: retryAfterSeconds(res.headers),
  });
}

function checkText(text: string, limit: number, what: string): void {
  if (text.trim() === '') throw new ChannelValidationError('body', 'must not be empty');
  if ([...text].length > limit) throw new ChannelValidationError('body', `${what} is limited to ${limit} characters`);
}

export function graphClient(options: GraphClientOptions): GraphClient {
  const baseUrl = options.baseUrl ?? GRAPH_DEFAULT_BASE_URL;
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const headers = { authorization: `Bearer ${options.pageAccessToken}` };

  async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await requestJson(fetchImpl, 'graph', joinUrl(baseUrl, path), { method, headers, body, timeoutMs: options.timeoutMs });
    if (res.status >= 400) throw graphErrorFromResponse(res);
    if (!isRecord(res.json)) throw new ProviderError({ provider: 'graph', status: res.status, classification: 'permanent', providerMessage: 'response is not a JSON object' });
    return res.json;
  }

  function idOf(json: Record<string, unknown>, field: string): SocialSendResult {
    const id = str(json[field]);
    if (!id) throw new ProviderError({ provider: 'graph', status: 200, classification: 'permanent', providerMessage: `response without ${field}` });
    return { providerMessageId: id };
  }

  async function sendMessage(recipientId: string, text: string): Promise<SocialSendResult> {
    const json = await call('POST', '/me/messages', { recipient: { id: recipientId }, messaging_type: 'RESPONSE', message: { text } });
    return idOf(json, 'message_id');
  }

  const client: GraphClient = {
    async sendMessengerMessage(psid, text) {
      checkText(text, MESSENGER_TEXT_LIMIT, 'a Messenger message');
      return sendMessage(psid, text);
    },
    async sendInstagramMessage(igsid, text) {
      checkText(text, INSTAGRAM_DM_TEXT_LIMIT, 'an Instagram message');
      return sendMessage(igsid, text);
    },
    async replyToComment(commentId, text, replyOptions) {
      const instagram = replyOptions?.network === 'instagram';
      checkText(text, instagram ? INSTAGRAM_COMMENT_LIMIT : FACEBOOK_COMMENT_LIMIT, instagram ? 'an Instagram comment' : 'a Facebook comment');
      const json = await call('POST', `/${encodeURIComponent(commentId)}/${instagram ? 'replies' : 'comments'}`, { message: text });
      return idOf(json, 'id');
    },
    async replyToInstagramComment(commentId, text) {
      return client.replyToComment(commentId, text, { network: 'instagram' });
    },
    async replyToInstagramMention(igUserId, mediaId, commentId, text) {
      checkText(text, INSTAGRAM_COMMENT_LIMIT, 'an Instagram comment');
      const body = { media_id: mediaId, ...(commentId ? { comment_id: commentId } : {}), message: text };
      const json = await call('POST', `/${encodeURIComponent(igUserId)}/mentions`, body);
      return idOf(json, 'id');
    },
    async getInstagramMention(lookup) {
      const fields = lookup.commentId
        ? `mentioned_comment.comment_id(${lookup.commentId}){id,text,username,timestamp,from{id,username},media{id}}`
        : `mentioned_media.media_id(${lookup.mediaId}){id,caption,username,timestamp,permalink}`;
      const json = await call('GET', `/${encodeURIComponent(lookup.igUserId)}?fields=${encodeURIComponent(fields)}`);
      const node = isRecord(json.mentioned_comment) ? json.mentioned_comment : isRecord(json.mentioned_media) ? json.mentioned_media : null;
      if (!node) throw new ProviderError({ provider: 'graph', status: 200, classification: 'permanent', providerMessage: 'mention not found' });
      const from = isRecord(node.from) ? node.from : {};
      return {
        id: lookup.commentId ?? lookup.mediaId,
        mediaId: lookup.mediaId,
        text: str(node.text) ?? str(node.caption) ?? '',
        username: str(node.username) ?? str(from.username),
        fromId: str(from.id),
        timestamp: str(node.timestamp),
      };
    },
  };
  return client;
}
