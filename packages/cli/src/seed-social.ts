import type { DataSource } from 'typeorm';
import {
  fbComment,
  igDm,
  igMention,
  messengerMessage,
  postSignedMetaEvent,
  postSignedXEvent,
  startSandbox,
  xDm,
  xMention,
  type Sandbox,
} from '@desk/sandbox';
import { DEMO_ACCOUNTS, seedDemo, type DemoSandbox, type SeedSummary, type SocialDemoThread } from './seed-demo';

/**
 * The social half of `pnpm seed:demo`: the X, Facebook and Instagram inboxes talk to the provider
 * sandbox (`@desk/sandbox`), and the demo's social conversations reach the RUNNING desk as signed
 * webhook events, through the same door, inbound events and worker as the networks' own
 * deliveries. Replies the agents send from the console then land in the sandbox.
 */

/** The port the standalone sandbox (`pnpm --filter @desk/sandbox start`) listens on by default. */
export const DEMO_SANDBOX_PORT = 4010;
const DEFAULT_SECRETS = { xConsumerSecret: 'sandbox-x-consumer-secret', metaAppSecret: 'sandbox-meta-app-secret' };

export class DeskNotRunningError extends Error {
  constructor(readonly deskUrl: string) {
    super(`seed-demo: no desk answers at ${deskUrl}; run \`pnpm start\` first (or pass --api <url>)`);
  }
}

/** The desk's api: `--api`, else PUBLIC_URL, else http://localhost:<PORT or 3000> (as the api itself defaults). */
export function deskUrlFrom(flags: Record<string, string>, env: NodeJS.ProcessEnv): string {
  return (flags.api ?? env.PUBLIC_URL ?? `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '');
}

export async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status < 500;
  } catch {
    return false;
  }
}

/**
 * The sandbox to use: SANDBOX_URL when given, else one already listening on the demo port, else
 * one started here (in this process) on that port, so the inboxes' base URL stays valid when the
 * standalone sandbox is started there later. Secrets: SANDBOX_X_CONSUMER_SECRET /
 * SANDBOX_META_APP_SECRET, the standalone sandbox's defaults otherwise.
 */
export async function demoSandbox(env: NodeJS.ProcessEnv): Promise<{ target: DemoSandbox; started: Sandbox | null }> {
  const secrets = {
    xConsumerSecret: env.SANDBOX_X_CONSUMER_SECRET || DEFAULT_SECRETS.xConsumerSecret,
    metaAppSecret: env.SANDBOX_META_APP_SECRET || DEFAULT_SECRETS.metaAppSecret,
  };
  if (env.SANDBOX_URL) return { target: { url: env.SANDBOX_URL.replace(/\/+$/, ''), ...secrets }, started: null };
  const port = Number(env.SANDBOX_PORT || DEMO_SANDBOX_PORT);
  const url = `http://127.0.0.1:${port}`;
  if (await answers(`${url}/health`)) return { target: { url, ...secrets }, started: null };
  const started = await startSandbox({ port, ...secrets });
  return { target: { url: started.url, ...secrets }, started };
}

/** One webhook delivery per customer message, in the shape each network sends. */
export function socialEvents(thread: SocialDemoThread): Array<{ network: 'x' | 'meta'; event: Record<string, unknown>; key: string }> {
  const out: Array<{ network: 'x' | 'meta'; event: Record<string, unknown>; key: string }> = [];
  const { contact } = thread;
  // a public thread is one post per customer, each message answering the previous one
  const postId = `${DEMO_ACCOUNTS.pageId}_${Date.now()}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  let previousTweet: string | null = null;
  for (const msg of thread.messages) {
    if (thread.channel === 'x') {
      const user = { id: must(contact.ids.x, 'x id'), screenName: contact.handle ?? contact.key, name: contact.name };
      if (msg.isPublic) {
        const event = xMention({ forUserId: DEMO_ACCOUNTS.xUserId, forScreenName: DEMO_ACCOUNTS.xScreenName, user, text: msg.text, inReplyToStatusId: previousTweet, createdAt: msg.at });
        previousTweet = (event.tweet_create_events as Array<{ id_str: string }>)[0]!.id_str;
        out.push({ network: 'x', event, key: previousTweet });
      } else {
        const event = xDm({ forUserId: DEMO_ACCOUNTS.xUserId, sender: user, text: msg.text, createdAt: msg.at });
        out.push({ network: 'x', event, key: (event.direct_message_events as Array<{ id: string }>)[0]!.id });
      }
    } else if (thread.channel === 'facebook') {
      const psid = must(contact.ids.facebook, 'facebook id');
      const event = msg.isPublic
        ? fbComment({ pageId: DEMO_ACCOUNTS.pageId, postId, from: { id: psid, name: contact.name }, message: msg.text, createdTime: Math.floor(msg.at.getTime() / 1000) })
        : messengerMessage({ pageId: DEMO_ACCOUNTS.pageId, psid, text: msg.text, timestamp: msg.at.getTime() });
      out.push({ network: 'meta', event, key: metaKey(event) });
    } else {
      const event = igDm({ igUserId: DEMO_ACCOUNTS.igUserId, igsid: must(contact.ids.instagram, 'instagram id'), text: msg.text, timestamp: msg.at.getTime() });
      out.push({ network: 'meta', event, key: metaKey(event) });
    }
  }
  return out;
}

function metaKey(event: Record<string, unknown>): string {
  const entry = (event.entry as Array<{ messaging?: Array<{ message: { mid: string } }>; changes?: Array<{ value: { comment_id: string } }> }>)[0]!;
  return entry.messaging?.[0]?.message.mid ?? entry.changes![0]!.value.comment_id;
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`seed-demo: ${what} missing`);
  return value;
}

/**
 * Posts the planned conversations, thread by thread, oldest message first, each as one signed
 * delivery to the desk's webhook of its inbox. A refused delivery (not 2xx) stops the seeding:
 * the desk and the sandbox disagree on secrets or the inbox is gone, and retrying will not help.
 */
export async function postSocialDemo(
  threads: SocialDemoThread[],
  deskUrl: string,
  sandbox: DemoSandbox,
): Promise<{ events: number; keys: Array<{ channel: string; externalId: string }> }> {
  const keys: Array<{ channel: string; externalId: string }> = [];
  for (const thread of threads) {
    const webhook = `${deskUrl}/webhooks/${thread.channel === 'x' ? 'x' : 'meta'}/${thread.inboxId}`;
    for (const e of socialEvents(thread)) {
      const status =
        e.network === 'x' ? await postSignedXEvent(webhook, sandbox.xConsumerSecret, e.event) : await postSignedMetaEvent(webhook, sandbox.metaAppSecret, e.event);
      if (status < 200 || status >= 300) throw new Error(`seed-demo: the desk answered ${status} to a signed ${thread.channel} webhook at ${webhook}`);
      keys.push({ channel: thread.channel, externalId: e.key });
    }
  }
  return { events: keys.length, keys };
}

/**
 * One Instagram caption mention by a demo customer: the webhook carries the media id only, the
 * worker looks the caption up in the sandbox, which learns it here over HTTP (so this works with a
 * sandbox in another process too). Null when there is no Instagram customer or the sandbox refuses.
 */
export async function postCaptionMention(threads: SocialDemoThread[], deskUrl: string, sandbox: DemoSandbox, now = new Date()): Promise<{ channel: string; externalId: string } | null> {
  const author = threads.find((t) => t.channel === 'instagram' && t.contact.handle);
  if (!author?.contact.handle) return null;
  const mediaId = `1790${now.getTime()}`;
  const caption = `Unboxing day! My new blender from @acme.official arrived with a cracked jug. Anyone else? #unboxing`;
  try {
    const res = await fetch(`${sandbox.url}/_sandbox/instagram/media`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: mediaId, caption, username: author.contact.handle, timestamp: new Date(now.getTime() - 20 * 60_000).toISOString() }),
    });
    await res.arrayBuffer();
    if (res.status !== 204) return null;
  } catch {
    return null;
  }
  const event = igMention({ igUserId: DEMO_ACCOUNTS.igUserId, mediaId });
  const status = await postSignedMetaEvent(`${deskUrl}/webhooks/meta/${author.inboxId}`, sandbox.metaAppSecret, event);
  if (status < 200 || status >= 300) throw new Error(`seed-demo: the desk answered ${status} to a signed instagram mention webhook`);
  return { channel: 'instagram', externalId: mediaId };
}

/** Waits until the worker turned the posted events into messages; returns how many it did in time. */
export async function waitForIngest(ds: DataSource, keys: Array<{ channel: string; externalId: string }>, timeoutMs = 30_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  const channels = keys.map((k) => k.channel);
  const ids = keys.map((k) => k.externalId);
  for (;;) {
    const [row]: Array<{ n: number }> = await ds.query(
      `SELECT count(*)::int AS n FROM messages m JOIN unnest($1::text[], $2::text[]) AS k(channel, external_id)
          ON m.channel::text = k.channel AND m.external_id = k.external_id
        WHERE m.inbound_event_id IS NOT NULL`,
      [channels, ids],
    );
    const done = row?.n ?? 0;
    if (done >= keys.length || Date.now() > until) return done;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface DemoThroughDeskResult extends SeedSummary {
  socialEvents: number;
  socialIngested: number;
  sandboxUrl: string;
}

/**
 * `pnpm seed:demo`: checks the desk answers (else DeskNotRunningError, nothing written), writes the
 * demo (social inboxes pointing at the sandbox), then posts the social conversations to the desk's
 * webhooks and waits for the worker to ingest them.
 */
export async function seedDemoThroughDesk(
  ds: DataSource,
  opts: { deskUrl: string; sandbox: DemoSandbox; log?: (line: string) => void; now?: Date; ingestTimeoutMs?: number },
): Promise<DemoThroughDeskResult> {
  const log = opts.log ?? (() => undefined);
  if (!(await answers(`${opts.deskUrl}/health`))) throw new DeskNotRunningError(opts.deskUrl);
  const summary = await seedDemo(ds, { log, now: opts.now, sandbox: opts.sandbox, social: 'webhooks' });
  if (summary.skipped) return { ...summary, socialEvents: 0, socialIngested: 0, sandboxUrl: opts.sandbox.url };
  log(`seed-demo: posting ${summary.social.length} social conversations to ${opts.deskUrl} as signed webhook events`);
  const posted = await postSocialDemo(summary.social, opts.deskUrl, opts.sandbox);
  const mention = await postCaptionMention(summary.social, opts.deskUrl, opts.sandbox, opts.now);
  if (mention) {
    posted.keys.push(mention);
    posted.events += 1;
  } else log('seed-demo: the sandbox took no Instagram media fixture; the demo has no caption mention');
  const ingested = await waitForIngest(ds, posted.keys, opts.ingestTimeoutMs);
  if (ingested < posted.events) log(`seed-demo: ${posted.events - ingested} of ${posted.events} social events are not ingested yet (is the worker running?); they stay queued`);
  return { ...summary, socialEvents: posted.events, socialIngested: ingested, sandboxUrl: opts.sandbox.url };
}
