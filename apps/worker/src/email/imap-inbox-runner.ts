import type { ImapFlow } from 'imapflow';
import type { ImapSettings } from '@desk/core';
import { closeQuietly, openMailbox, supportsIdle } from './imap-connection';
import type { SyncResult } from './imap-mailbox-sync';

export interface RunnerDeps {
  inboxId: string;
  settings: ImapSettings;
  /** One sync pass on the given connection (serialized per inbox by the caller). */
  sync(client: ImapFlow): Promise<SyncResult>;
  warn(line: string): void;
  /** Backoff after the n-th consecutive failure, in ms. */
  backoffMs?: (failures: number) => number;
}

export const defaultBackoffMs = (failures: number) => {
  const base = Math.min(300_000, 2000 * 2 ** Math.min(failures - 1, 8));
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

/**
 * The long-running poller of one inbox: one connection, a sync pass, then IDLE until the server
 * announces new mail (or plain waiting when it has no IDLE), and a pass again at least every
 * pollSeconds. Any failure closes the connection and reconnects after a growing backoff.
 */
export class ImapInboxRunner {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private client: ImapFlow | null = null;
  private pending = false;
  private wake: (() => void) | null = null;
  /** Consecutive failures; 0 while healthy. Visible for tests and health checks. */
  failures = 0;
  /** Completed passes since start. */
  passes = 0;

  constructor(private readonly d: RunnerDeps) {}

  start(): void {
    if (!this.loop) this.loop = this.run();
  }

  /** Lets a pass in progress finish (briefly), then drops the connection. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.signal();
    if (!this.loop) return;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.loop.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
    ]);
    clearTimeout(timer);
    if (!finished) this.client?.close();
    await this.loop;
  }

  private signal(): void {
    this.pending = true;
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves after `ms`, or earlier on new mail, a closed connection or stop. */
  private wait(ms: number): Promise<void> {
    if (this.pending || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const { settings: s } = this.d;
    while (!this.stopped) {
      let client: ImapFlow | null = null;
      try {
        const c = await openMailbox(s, `inbox-${this.d.inboxId}`);
        client = c;
        this.client = c;
        if (this.stopped) break;
        const idle = supportsIdle(c);
        // events of a connection already given up must not cut the backoff short
        const onServerEvent = () => this.client === c && this.signal();
        c.on('exists', onServerEvent);
        c.on('close', onServerEvent);
        while (!this.stopped) {
          this.pending = false;
          const r = await this.d.sync(c);
          this.passes++;
          const firstFailure = r.failed[0];
          if (firstFailure) throw new Error(`${r.failed.length} message(s) not imported, first UID ${firstFailure.uid}: ${firstFailure.error}`);
          this.failures = 0;
          if (!c.usable) throw new Error('connection closed by the server');
          // IDLE resolves when the next command breaks it; its failure shows as a closed connection
          if (idle) void c.idle().catch(() => undefined);
          await this.wait(s.pollSeconds * 1000);
          if (!c.usable && !this.stopped) throw new Error('connection closed by the server');
        }
      } catch (e) {
        if (this.stopped) break;
        this.failures++;
        const delay = (this.d.backoffMs ?? defaultBackoffMs)(this.failures);
        this.d.warn(`IMAP ${s.user}@${s.host}:${s.port}/${s.mailbox} failed (${this.failures} in a row), retrying in ${Math.round(delay / 1000)} s: ${(e as Error).message}`);
        this.client = null;
        await closeQuietly(client);
        client = null;
        this.pending = false;
        await this.wait(delay);
      } finally {
        this.client = null;
        await closeQuietly(client);
      }
    }
  }
}
