import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ImapFlow } from 'imapflow';
import { DataSource } from 'typeorm';
import { Inbox, IngestionService, readImapSettings, type ImapSettings } from '@desk/core';
import { ImapCheckpoints } from './imap-checkpoints';
import { closeQuietly, openMailbox } from './imap-connection';
import { ImapInboxRunner } from './imap-inbox-runner';
import { syncMailbox, type SyncResult } from './imap-mailbox-sync';

/**
 * Fetches mail from the IMAP mailbox of every active email inbox whose settings have an `imap`
 * block (see ImapSettingsSchema): one long-running connection per inbox (IDLE where offered),
 * and the inbox list is read again every minute so added, changed or removed inboxes follow.
 * Every message goes through IngestionService.accept before it is flagged or moved on the server,
 * and the position per inbox and mailbox is kept in `imap_checkpoints`.
 *
 * Several worker replicas each run their pollers: passes may overlap, which costs a repeated fetch
 * but no duplicate (idempotency key) and no rewind (the checkpoint only moves forward).
 */
@Injectable()
export class ImapPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  static readonly RESCAN_MS = 60_000;
  private readonly log = new Logger(ImapPoller.name);
  private readonly checkpoints: ImapCheckpoints;
  private readonly runners = new Map<string, { fingerprint: string; runner: ImapInboxRunner }>();
  /** Invalid settings are reported once per version, not every minute. */
  private readonly reported = new Map<string, string>();
  /** Passes of one inbox never overlap inside this process (pollOnce vs. the long-running mode). */
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
  ) {
    this.checkpoints = new ImapCheckpoints(ds);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts the pollers of every configured inbox and the periodic re-read of the inbox list. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh(), ImapPoller.RESCAN_MS);
    this.timer.unref();
    await this.refresh();
  }

  /** Stops the re-read and every long-running poller; pollOnce keeps working. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
    const all = [...this.runners.values()];
    this.runners.clear();
    await Promise.all(all.map((r) => r.runner.stop()));
  }

  /** Brings the running pollers in line with the inbox table. Never throws. */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh()
      .catch((e: Error) => this.log.warn(`reading the IMAP inboxes failed: ${e.message}`))
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const inboxes = await this.ds.getRepository(Inbox).find({ where: { channel: 'email', isActive: true } });
    const wanted = new Map<string, ImapSettings>();
    for (const inbox of inboxes) {
      const s = this.settingsOf(inbox);
      if (s) wanted.set(inbox.id, s);
    }
    for (const [id, { fingerprint }] of this.runners) {
      const s = wanted.get(id);
      if (!s || JSON.stringify(s) !== fingerprint) await this.stopInbox(id);
    }
    for (const [id, s] of wanted) if (!this.runners.has(id)) this.startRunner(id, s);
  }

  /** Starts the long-running poller of one inbox (restarts it when running). */
  async startInbox(inboxId: string): Promise<void> {
    const s = this.requireSettings(await this.ds.getRepository(Inbox).findOneByOrFail({ id: inboxId }));
    await this.stopInbox(inboxId);
    this.startRunner(inboxId, s);
  }

  async stopInbox(inboxId: string): Promise<void> {
    const r = this.runners.get(inboxId);
    this.runners.delete(inboxId);
    await r?.runner.stop();
  }

  /** The long-running poller of the inbox, if one runs (for tests and health checks). */
  runnerOf(inboxId: string): ImapInboxRunner | undefined {
    return this.runners.get(inboxId)?.runner;
  }

  /** One pass on a fresh connection: connect, import what is new, log out. */
  async pollOnce(inboxId: string): Promise<SyncResult> {
    const s = this.requireSettings(await this.ds.getRepository(Inbox).findOneByOrFail({ id: inboxId }));
    const client = await openMailbox(s, `inbox-${inboxId}-once`);
    try {
      const r = await this.sync(inboxId, s, client);
      const first = r.failed[0];
      if (first) this.log.warn(`inbox ${inboxId}: ${r.failed.length} message(s) in ${s.mailbox} not imported, first UID ${first.uid}: ${first.error}`);
      return r;
    } finally {
      await closeQuietly(client);
    }
  }

  private startRunner(inboxId: string, s: ImapSettings): void {
    const runner = new ImapInboxRunner({
      inboxId,
      settings: s,
      sync: (client) => this.sync(inboxId, s, client),
      warn: (line) => this.log.warn(`inbox ${inboxId}: ${line}`),
    });
    this.runners.set(inboxId, { fingerprint: JSON.stringify(s), runner });
    runner.start();
  }

  private sync(inboxId: string, s: ImapSettings, client: ImapFlow): Promise<SyncResult> {
    return this.exclusive(`${inboxId}\n${s.mailbox}`, () =>
      syncMailbox(client, {
        inboxId,
        settings: s,
        checkpoints: this.checkpoints,
        accept: (input) => this.ingestion.accept(input),
        log: (line) => this.log.warn(`inbox ${inboxId}: ${line}`),
      }),
    );
  }

  private exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => this.chains.get(key) === tail && this.chains.delete(key));
    return next;
  }

  private settingsOf(inbox: Inbox): ImapSettings | null {
    const r = readImapSettings(inbox.settings ?? {});
    if (!r) return null;
    if (r.ok) {
      this.reported.delete(inbox.id);
      return r.value;
    }
    if (this.reported.get(inbox.id) !== r.error) {
      this.reported.set(inbox.id, r.error);
      this.log.warn(`inbox ${inbox.id} has invalid IMAP settings, not polled: ${r.error}`);
    }
    return null;
  }

  private requireSettings(inbox: Inbox): ImapSettings {
    if (inbox.channel !== 'email') throw new Error(`inbox ${inbox.id} is not an email inbox`);
    const r = readImapSettings(inbox.settings ?? {});
    if (!r) throw new Error(`inbox ${inbox.id} has no IMAP settings`);
    if (!r.ok) throw new Error(`inbox ${inbox.id} has invalid IMAP settings: ${r.error}`);
    return r.value;
  }
}
