import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { buildMentionsRequest, compareTweetIds, oauth1Header, rateLimitFromHeaders, xIdempotencyKey, type RateLimit } from '@desk/channels';
import { XInboxSettings } from '../channels/social-channels';
import { IngestionService } from './ingestion.service';

export type XPollOutcome =
  | { inboxId: string; outcome: 'polled'; accepted: number; sinceId: string | null; pausedUntil: Date | null }
  | { inboxId: string; outcome: 'paused'; until: Date }
  | { inboxId: string; outcome: 'failed'; error: string };

/** Safety bound on pages per poll (100 mentions each); the rest waits for the next poll. */
const MAX_PAGES = 10;
/** Without a reset header, a 429 pauses for X's standard 15-minute window. */
const DEFAULT_PAUSE_MS = 15 * 60_000;

/**
 * The v2 mentions timeline poller, for X accounts without Account Activity access
 * (settings.pollMentions). Each tweet is committed through IngestionService.accept under the SAME
 * key as the webhook's (`<inbox>:x:<tweet id>`), so a tweet seen both ways is one event. The
 * since_id checkpoint lives in Postgres (x_poll_checkpoints) and only moves after every page was
 * stored; when the rate limit is used up (x-rate-limit-remaining 0, or a 429) the inbox is paused
 * until x-rate-limit-reset and polls in between return without calling X.
 */
@Injectable()
export class XMentionsPoller {
  private readonly log = new Logger(XMentionsPoller.name);

  constructor(
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
  ) {}

  /** Every active X inbox with pollMentions; one failing inbox does not stop the others. */
  async pollAll(now = new Date()): Promise<XPollOutcome[]> {
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM inboxes WHERE channel = 'x' AND is_active AND settings->>'pollMentions' = 'true' ORDER BY created_at`,
    );
    const out: XPollOutcome[] = [];
    for (const r of rows) out.push(await this.pollInbox(r.id, now));
    return out;
  }

  async pollInbox(inboxId: string, now = new Date()): Promise<XPollOutcome> {
    try {
      return await this.poll(inboxId, now);
    } catch (e) {
      const error = (e as Error).message;
      this.log.warn(`x mentions poll of inbox ${inboxId} failed: ${error}`);
      return { inboxId, outcome: 'failed', error };
    }
  }

  private async poll(inboxId: string, now: Date): Promise<XPollOutcome> {
    const [inbox]: Array<{ settings: unknown }> = await this.ds.query(`SELECT settings FROM inboxes WHERE id = $1 AND channel = 'x'`, [inboxId]);
    if (!inbox) throw new Error('not an x inbox');
    const s = XInboxSettings.parse(inbox.settings);
    const [cp]: Array<{ since_id: string | null; paused_until: Date | null }> = await this.ds.query(
      `SELECT since_id, paused_until FROM x_poll_checkpoints WHERE inbox_id = $1`,
      [inboxId],
    );
    if (cp?.paused_until && cp.paused_until > now) return { inboxId, outcome: 'paused', until: cp.paused_until };

    const sinceId = cp?.since_id ?? null;
    let newest: string | null = null;
    let token: string | null = null;
    let pausedUntil: Date | null = null;
    let accepted = 0;
    const tweets: Array<{ tweet: Record<string, unknown>; includes: unknown }> = [];
    let complete = false;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { url } = buildMentionsRequest({ userId: s.userId, sinceId, paginationToken: token, ...(s.apiBaseUrl ? { baseUrl: s.apiBaseUrl } : {}) });
      const authorization = s.bearerToken ? `Bearer ${s.bearerToken}` : s.oauth1 ? oauth1Header('GET', url, s.oauth1) : null;
      if (!authorization) throw new Error('the inbox has neither bearerToken nor oauth1 credentials');
      const res = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(15_000) });
      const rate = rateLimitFromHeaders(res.headers);
      if (res.status === 429) {
        pausedUntil = pauseUntil(rate, now, true);
        break;
      }
      if (!res.ok) throw new Error(`GET mentions answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const json = (await res.json()) as { data?: unknown[]; includes?: unknown; meta?: { newest_id?: string; next_token?: string } };
      if (page === 0) newest = json.meta?.newest_id ?? null;
      for (const t of json.data ?? []) if (isXTweetJson(t) && t.author_id !== s.userId) tweets.push({ tweet: t, includes: json.includes ?? {} });
      pausedUntil = pauseUntil(rate, now, false);
      token = json.meta?.next_token ?? null;
      if (!token) {
        complete = true;
        break;
      }
      if (pausedUntil) break;
    }
    // oldest first, so they enter the pipeline in the order they were written
    tweets.sort((a, b) => compareTweetIds(String(a.tweet.id), String(b.tweet.id)));
    for (const { tweet, includes } of tweets) {
      const r = await this.ingestion.accept({
        source: 'x',
        inboxId,
        idempotencyKey: xIdempotencyKey(inboxId, String(tweet.id)),
        payload: Buffer.from(JSON.stringify({ data: tweet, includes })),
        contentType: 'application/json',
        meta: { poll: true },
      });
      if (!r.duplicate) accepted++;
    }
    // an unfinished walk keeps the old since_id: the next poll fetches the gap again (keys dedupe)
    const nextSince = complete && newest ? newest : sinceId;
    await this.ds.query(
      `INSERT INTO x_poll_checkpoints (inbox_id, since_id, paused_until) VALUES ($1, $2, $3)
       ON CONFLICT (inbox_id) DO UPDATE SET since_id = EXCLUDED.since_id, paused_until = EXCLUDED.paused_until, updated_at = now()`,
      [inboxId, nextSince, pausedUntil],
    );
    return { inboxId, outcome: 'polled', accepted, sinceId: nextSince, pausedUntil };
  }
}

function isXTweetJson(t: unknown): t is Record<string, unknown> & { id: string; author_id?: unknown } {
  return typeof t === 'object' && t !== null && typeof (t as { id?: unknown }).id === 'string';
}

function pauseUntil(rate: RateLimit, now: Date, limited: boolean): Date | null {
  if (limited) return rate.resetAt && rate.resetAt > now ? rate.resetAt : new Date(now.getTime() + DEFAULT_PAUSE_MS);
  if (rate.remaining !== null && rate.remaining <= 0 && rate.resetAt && rate.resetAt > now) return rate.resetAt;
  return null;
}
