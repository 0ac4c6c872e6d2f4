// The provider sandbox: a node:http server that answers the X API v2 and Graph API calls the desk
// makes (and records them), and posts correctly signed webhook events to the desk.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X_PUBLIC_LIMIT, xWeightedLength } from '@desk/channels';
import { graphId, messageId, snowflake } from './ids';

export interface RecordedCall {
  method: string;
  /** Path without query string and without a Graph version prefix (`/v21.0`). */
  path: string;
  /** The route it matched, e.g. `/2/dm_conversations/with/:id/messages`, or null (404). */
  route: string | null;
  query: Record<string, string>;
  body: unknown;
  authorization: string | null;
  status: number;
  at: Date;
}

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  deskWebhookUrls?: { x?: string; meta?: string };
  xConsumerSecret: string;
  metaAppSecret: string;
  /** Requests per 15-minute window on GET /2/users/:id/mentions (default 180). */
  mentionsRateLimit?: number;
  /** Called with every recorded call (the standalone server prints them). */
  onRecord?: (call: RecordedCall) => void;
}

export interface QueuedMention {
  /** Our account (the user whose mentions timeline serves it). */
  forUserId: string;
  author: { id: string; username: string; name?: string };
  text: string;
  id?: string;
  conversationId?: string;
  inReplyToTweetId?: string;
  createdAt?: Date;
}

/** A post of someone else that mentions our Instagram account in its caption (`addInstagramMedia`). */
export interface InstagramMediaFixture {
  id: string;
  caption: string;
  /** The author of the post (the mentioning user). */
  username: string;
  timestamp?: Date;
  permalink?: string;
  mediaType?: string;
}

/** A comment that mentions our Instagram account (`addInstagramMentionComment`). */
export interface InstagramCommentFixture {
  id: string;
  mediaId: string;
  text: string;
  from: { id: string; username: string };
  timestamp?: Date;
}

export interface PostOptions {
  /** Override the desk URL configured at start. */
  url?: string;
  /** Send this signature header instead of the right one (to test refusals); null sends none. */
  signature?: string | null;
}

export interface Sandbox {
  url: string;
  port: number;
  /** Every API call received, in order. */
  sent: RecordedCall[];
  stop(): Promise<void>;
  /** Posts an Account Activity body to the desk, signed with the consumer secret; returns the HTTP status. */
  postXEvent(event: unknown, options?: PostOptions): Promise<number>;
  /** Posts a Meta webhook body to the desk, signed with the app secret; returns the HTTP status. */
  postMetaEvent(event: unknown, options?: PostOptions): Promise<number>;
  /** Runs X's CRC check against the desk's webhook URL; true when it answered the right token. */
  checkXCrc(options?: { url?: string }): Promise<boolean>;
  /** The next `times` calls to `path` (exact path or route template) answer `status`. */
  failNext(path: string, status: number, times?: number): void;
  /** Adds a tweet to the mentions timeline of `forUserId`; returns it in v2 form. */
  queueMention(input: QueuedMention): Record<string, unknown>;
  /** Makes `GET /{ig-user-id}?fields=mentioned_media.media_id(<id>){...}` answer this post (any of our accounts). */
  addInstagramMedia(media: InstagramMediaFixture): void;
  /** Makes `GET /{ig-user-id}?fields=mentioned_comment.comment_id(<id>){...}` answer this comment. */
  addInstagramMentionComment(comment: InstagramCommentFixture): void;
  /** Forgets recorded calls, queued failures, mentions and Instagram fixtures. */
  reset(): void;
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  handle(ctx: { params: string[]; query: Record<string, string>; body: unknown }): { status: number; body: unknown; headers?: Record<string, string> };
}

type Api = 'x' | 'graph';

function apiOf(template: string): Api {
  return template.startsWith('/2/') ? 'x' : 'graph';
}

function errorBody(api: Api, status: number, message: string, code = status === 429 ? 4 : 100): unknown {
  if (api === 'x') return { title: status === 429 ? 'Too Many Requests' : 'Error', detail: message, type: 'about:blank', status };
  return { error: { message, type: 'OAuthException', code, fbtrace_id: messageId('') } };
}

function sign(secret: string, body: string, encoding: 'base64' | 'hex'): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest(encoding)}`;
}

/** Graph's answer for an object the token may not read or write (or that does not exist): 400, code 100, subcode 33. */
function unsupportedObject(verb: 'get' | 'post', id: string): { status: number; body: unknown } {
  return {
    status: 400,
    body: {
      error: {
        message: `Unsupported ${verb} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
        fbtrace_id: messageId(''),
      },
    },
  };
}

/** Graph's ISO form: `2023-11-14T22:21:00+0000`. */
function graphTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, '+0000');
}

/**
 * Posts one webhook body to the desk signed the way X does (`x-twitter-webhooks-signature`,
 * base64 HMAC-SHA256 with the consumer secret); `signature` overrides it, null sends none.
 * Usable without a running sandbox (e.g. by seed-demo against a sandbox started elsewhere).
 */
export function postSignedXEvent(url: string, secret: string, event: unknown, signature?: string | null): Promise<number> {
  const payload = JSON.stringify(event);
  return postSigned(url, payload, 'x-twitter-webhooks-signature', signature !== undefined ? signature : sign(secret, payload, 'base64'));
}

/** Posts one webhook body to the desk signed the way Meta does (`X-Hub-Signature-256`, hex HMAC-SHA256 with the app secret). */
export function postSignedMetaEvent(url: string, secret: string, event: unknown, signature?: string | null): Promise<number> {
  const payload = JSON.stringify(event);
  return postSigned(url, payload, 'X-Hub-Signature-256', signature !== undefined ? signature : sign(secret, payload, 'hex'));
}

async function postSigned(url: string, payload: string, header: string, signature: string | null): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== null) headers[header] = signature;
  const res = await fetch(url, { method: 'POST', headers, body: payload });
  await res.arrayBuffer();
  return res.status;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const sent: RecordedCall[] = [];
  const failures = new Map<string, { status: number; remaining: number }>();
  let mentions: Array<Record<string, unknown> & { forUserId: string }> = [];
  const users = new Map<string, { id: string; username: string; name: string }>();
  const rateLimit = options.mentionsRateLimit ?? 180;
  const windows = new Map<string, { resetAt: number; remaining: number }>();
  const igMedia = new Map<string, InstagramMediaFixture>();
  const igComments = new Map<string, InstagramCommentFixture>();

  const routes: Route[] = [
    {
      method: 'POST',
      template: '/2/tweets',
      pattern: /^\/2\/tweets$/,
      handle({ body }) {
        const b = (body ?? {}) as { text?: unknown; reply?: { in_reply_to_tweet_id?: unknown } };
        if (typeof b.text !== 'string' || b.text === '') return { status: 400, body: errorBody('x', 400, 'text is required') };
        if (xWeightedLength(b.text) > X_PUBLIC_LIMIT) return { status: 403, body: errorBody('x', 403, 'Your Tweet text is too long.') };
        return { status: 201, body: { data: { id: snowflake(), text: b.text, edit_history_tweet_ids: [] } } };
      },
    },
    {
      method: 'POST',
      template: '/2/dm_conversations/with/:id/messages',
      pattern: /^\/2\/dm_conversations\/with\/([^/]+)\/messages$/,
      handle({ params, body }) {
        const b = (body ?? {}) as { text?: unknown };
        if (typeof b.text !== 'string' || b.text === '') return { status: 400, body: errorBody('x', 400, 'text is required') };
        return { status: 201, body: { data: { dm_conversation_id: `${params[0]}-sandbox`, dm_event_id: snowflake() } } };
      },
    },
    {
      method: 'GET',
      template: '/2/users/:id/mentions',
      pattern: /^\/2\/users\/([^/]+)\/mentions$/,
      handle({ params, query }) {
        const userId = params[0] ?? '';
        const now = Date.now();
        let window = windows.get(userId);
        if (!window || window.resetAt <= now) window = { resetAt: now + 15 * 60_000, remaining: rateLimit };
        windows.set(userId, window);
        const headers = {
          'x-rate-limit-limit': String(rateLimit),
          'x-rate-limit-remaining': String(Math.max(0, window.remaining - 1)),
          'x-rate-limit-reset': String(Math.ceil(window.resetAt / 1000)),
        };
        if (window.remaining <= 0) return { status: 429, body: errorBody('x', 429, 'Too Many Requests'), headers: { ...headers, 'x-rate-limit-remaining': '0' } };
        window.remaining -= 1;
        const since = query.since_id && /^\d+$/.test(query.since_id) ? BigInt(query.since_id) : -1n;
        const max = Math.min(100, Math.max(5, Number(query.max_results ?? 10) || 10));
        const page = mentions
          .filter((t) => t.forUserId === userId && BigInt(String(t.id)) > since)
          .sort((a, b) => (BigInt(String(b.id)) > BigInt(String(a.id)) ? 1 : -1))
          .slice(0, max)
          .map(({ forUserId: _own, ...tweet }) => tweet);
        if (page.length === 0) return { status: 200, body: { meta: { result_count: 0 } }, headers };
        const authorIds = [...new Set(page.map((t) => String(t.author_id)))];
        return {
          status: 200,
          headers,
          body: {
            data: page,
            includes: { users: authorIds.map((id) => users.get(id)).filter(Boolean) },
            meta: { newest_id: page[0]?.id, oldest_id: page[page.length - 1]?.id, result_count: page.length },
          },
        };
      },
    },
    {
      // IG User `mentioned_media` / `mentioned_comment` field expansions: the text of a mention the
      // `mentions` webhook announced by id. Unknown ids answer like Graph does for an object it
      // cannot load (400, code 100, subcode 33).
      method: 'GET',
      template: '/:ig-user-id',
      pattern: /^\/(\d+)$/,
      handle({ params, query }) {
        const fields = query.fields ?? '';
        const media = /^mentioned_media\.media_id\(([^)]+)\)/.exec(fields);
        const comment = /^mentioned_comment\.comment_id\(([^)]+)\)/.exec(fields);
        const missing = (id: string) => unsupportedObject('get', id);
        if (media) {
          const m = igMedia.get(media[1] ?? '');
          if (!m) return missing(media[1] ?? '');
          const timestamp = graphTime(m.timestamp ?? new Date());
          return {
            status: 200,
            body: {
              mentioned_media: { id: m.id, caption: m.caption, username: m.username, timestamp, permalink: m.permalink ?? `https://www.instagram.com/p/${m.id}/`, media_type: m.mediaType ?? 'IMAGE' },
              id: params[0],
            },
          };
        }
        if (comment) {
          const c = igComments.get(comment[1] ?? '');
          if (!c) return missing(comment[1] ?? '');
          return {
            status: 200,
            body: {
              mentioned_comment: { id: c.id, text: c.text, username: c.from.username, timestamp: graphTime(c.timestamp ?? new Date()), from: c.from, media: { id: c.mediaId } },
              id: params[0],
            },
          };
        }
        return { status: 400, body: errorBody('graph', 400, '(#100) the sandbox serves only mentioned_media and mentioned_comment on an IG user') };
      },
    },
    {
      method: 'POST',
      template: '/me/messages',
      pattern: /^\/me\/messages$/,
      handle({ body }) {
        const b = (body ?? {}) as { recipient?: { id?: unknown }; message?: { text?: unknown } };
        const recipient = b.recipient?.id;
        if (typeof recipient !== 'string' || typeof b.message?.text !== 'string') {
          return { status: 400, body: errorBody('graph', 400, '(#100) The parameter recipient is required') };
        }
        return { status: 200, body: { recipient_id: recipient, message_id: messageId() } };
      },
    },
    {
      method: 'POST',
      template: '/:id/comments',
      pattern: /^\/([^/]+)\/comments$/,
      handle({ params, body }) {
        const b = (body ?? {}) as { message?: unknown };
        if (typeof b.message !== 'string' || b.message === '') return { status: 400, body: errorBody('graph', 400, '(#100) message is required') };
        const parent = params[0] ?? '';
        const objectPart = parent.includes('_') ? (parent.split('_')[1] ?? parent) : parent;
        return { status: 200, body: { id: `${objectPart}_${graphId()}` } };
      },
    },
    {
      method: 'POST',
      template: '/:id/replies',
      pattern: /^\/([^/]+)\/replies$/,
      handle({ params, body }) {
        const b = (body ?? {}) as { message?: unknown };
        if (typeof b.message !== 'string' || b.message === '') return { status: 400, body: errorBody('graph', 400, '(#100) message is required') };
        // a mention sits in someone else's media, where we may not reply as on our own comments:
        // Graph refuses it; the way to answer is POST /{ig-user-id}/mentions
        const id = params[0] ?? '';
        if (igComments.has(id) || igMedia.has(id)) return unsupportedObject('post', id);
        return { status: 200, body: { id: snowflake() } };
      },
    },
    {
      // IG User mentions edge: a comment of ours on a media (caption mention) or under a comment
      // (comment mention) in which another user @mentioned our account. The answer is the new IG comment.
      method: 'POST',
      template: '/:ig-user-id/mentions',
      pattern: /^\/(\d+)\/mentions$/,
      handle({ body }) {
        const b = (body ?? {}) as { media_id?: unknown; comment_id?: unknown; message?: unknown };
        if (typeof b.media_id !== 'string' || b.media_id === '') return { status: 400, body: errorBody('graph', 400, '(#100) The parameter media_id is required') };
        if (typeof b.message !== 'string' || b.message === '') return { status: 400, body: errorBody('graph', 400, '(#100) message is required') };
        if (b.comment_id !== undefined && (typeof b.comment_id !== 'string' || b.comment_id === '')) {
          return { status: 400, body: errorBody('graph', 400, '(#100) comment_id must be a comment id') };
        }
        // a comment fixture of another media is not "the comment mentioning us on this media"
        const comment = typeof b.comment_id === 'string' ? igComments.get(b.comment_id) : undefined;
        if (comment && comment.mediaId !== b.media_id) return unsupportedObject('post', b.comment_id as string);
        return { status: 200, body: { id: snowflake() } };
      },
    },
  ];

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/^\/v\d+\.\d+(?=\/)/, '');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = raw === '' ? null : raw;
    try {
      if (raw !== '') body = JSON.parse(raw);
    } catch {
      // keep the raw text; the route answers 400
    }
    const authorization = req.headers.authorization ?? null;
    const query = Object.fromEntries(url.searchParams);
    const record = (route: string | null, status: number): void => {
      const call = { method, path, route, query, body, authorization, status, at: new Date() };
      sent.push(call);
      options.onRecord?.(call);
    };
    if (method === 'GET' && path === '/health') return send(res, 200, { ok: true, sandbox: true });
    // what the desk sent, for people trying the desk with a standalone sandbox (authorization left out)
    if (method === 'GET' && path === '/_sandbox/calls') return send(res, 200, { calls: sent.map(({ authorization: _a, ...c }) => c) });
    // fixtures over HTTP, for a sandbox running in another process (seed-demo's caption mention)
    if (method === 'POST' && path === '/_sandbox/instagram/media') {
      const m = (body ?? {}) as Partial<Record<keyof InstagramMediaFixture, unknown>>;
      if (typeof m.id !== 'string' || typeof m.caption !== 'string' || typeof m.username !== 'string') {
        return send(res, 400, { error: { message: 'id, caption and username are required strings' } });
      }
      igMedia.set(m.id, {
        id: m.id,
        caption: m.caption,
        username: m.username,
        ...(typeof m.timestamp === 'string' ? { timestamp: new Date(m.timestamp) } : {}),
        ...(typeof m.permalink === 'string' ? { permalink: m.permalink } : {}),
      });
      res.writeHead(204).end();
      return;
    }
    const route = routes.find((r) => r.method === method && r.pattern.test(path));
    if (!route) {
      record(null, 404);
      return send(res, 404, errorBody(path.startsWith('/2/') ? 'x' : 'graph', 404, `sandbox does not serve ${method} ${path}`));
    }
    const api = apiOf(route.template);
    const failure = failures.get(path) ?? failures.get(route.template);
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      record(route.template, failure.status);
      const headers: Record<string, string> = failure.status === 429 ? { 'retry-after': '1' } : {};
      return send(res, failure.status, errorBody(api, failure.status, `sandbox failure (${failure.status})`), headers);
    }
    if (!authorization) {
      record(route.template, 401);
      return send(res, 401, errorBody(api, 401, api === 'x' ? 'Unauthorized' : 'An active access token must be used.', 190));
    }
    if (typeof body === 'string') {
      record(route.template, 400);
      return send(res, 400, errorBody(api, 400, 'body is not JSON'));
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
    const result = route.handle({ params, query, body });
    record(route.template, result.status);
    send(res, result.status, result.body, result.headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { error: { message: err instanceof Error ? err.message : String(err) } });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  function deskUrl(url: string | undefined): string {
    if (!url) throw new Error('no desk webhook URL configured for this network');
    return url;
  }

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    sent,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    async postXEvent(event, opts = {}) {
      return postSignedXEvent(deskUrl(opts.url ?? options.deskWebhookUrls?.x), options.xConsumerSecret, event, opts.signature);
    },
    async postMetaEvent(event, opts = {}) {
      return postSignedMetaEvent(deskUrl(opts.url ?? options.deskWebhookUrls?.meta), options.metaAppSecret, event, opts.signature);
    },
    async checkXCrc(opts = {}) {
      const url = opts.url ?? options.deskWebhookUrls?.x;
      if (!url) throw new Error('no desk webhook URL configured for X');
      const token = messageId('crc_');
      const target = new URL(url);
      target.searchParams.set('crc_token', token);
      const res = await fetch(target);
      if (res.status !== 200) return false;
      const json = (await res.json().catch(() => null)) as { response_token?: unknown } | null;
      return json?.response_token === `sha256=${createHmac('sha256', options.xConsumerSecret).update(token).digest('base64')}`;
    },
    failNext(path, status, times = 1) {
      failures.set(path.replace(/^\/v\d+\.\d+(?=\/)/, ''), { status, remaining: times });
    },
    queueMention(input) {
      const id = input.id ?? snowflake();
      users.set(input.author.id, { id: input.author.id, username: input.author.username, name: input.author.name ?? input.author.username });
      const tweet: Record<string, unknown> & { forUserId: string } = {
        forUserId: input.forUserId,
        id,
        text: input.text,
        author_id: input.author.id,
        conversation_id: input.conversationId ?? id,
        created_at: (input.createdAt ?? new Date()).toISOString(),
        in_reply_to_user_id: input.forUserId,
        edit_history_tweet_ids: [id],
      };
      if (input.inReplyToTweetId) tweet.referenced_tweets = [{ type: 'replied_to', id: input.inReplyToTweetId }];
      mentions.push(tweet);
      const { forUserId: _own, ...v2 } = tweet;
      return v2;
    },
    addInstagramMedia(media) {
      igMedia.set(media.id, media);
    },
    addInstagramMentionComment(comment) {
      igComments.set(comment.id, comment);
    },
    reset() {
      igMedia.clear();
      igComments.clear();
      sent.length = 0;
      failures.clear();
      mentions = [];
      windows.clear();
    },
  };
}
