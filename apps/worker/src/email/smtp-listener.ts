import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { DataSource } from 'typeorm';
import { emailIdempotencyKey } from '@desk/channels';
import { APP_CONFIG, IngestionService, type AppConfig } from '@desk/core';

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, message: string): SmtpError => Object.assign(new Error(message), { responseCode: code });

/** `support+anything@acme.test` → `support@acme.test` (lower-cased). */
export function baseAddress(address: string): string {
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0) return a;
  const local = a.slice(0, at);
  const plus = local.indexOf('+');
  return `${plus >= 0 ? local.slice(0, plus) : local}${a.slice(at)}`;
}

const INBOX_CACHE_MS = 5_000;

/**
 * MX-facing SMTP listener: accepts RCPT only for the address of an active email inbox or one of
 * its plus-addresses (550 otherwise), enforces MAX_MESSAGE_BYTES (SIZE extension, 552 when a
 * stream goes over), and answers 250 to DATA only after the raw mail is COMMITTED as an inbound
 * event for every recipient inbox. A database failure answers 451, so the sending MTA retries.
 * No AUTH (this is not a submission port) and no STARTTLS (no certificate is configured).
 */
@Injectable()
export class SmtpListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(SmtpListener.name);
  private server: SMTPServer | null = null;
  /** recipient address → inbox id, per SMTP session (filled by RCPT, read by DATA). */
  private readonly recipients = new WeakMap<SMTPServerSession, Map<string, string>>();
  private boundPort: number | null = null;
  /**
   * Known recipient → inbox id, reused for a few seconds: a busy sender names the same address on
   * every mail. Only hits are kept, so a new inbox answers at once; a deactivated one may still
   * accept for INBOX_CACHE_MS (the mail is stored either way, never lost).
   */
  private readonly inboxByAddress = new Map<string, { id: string; at: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ds: DataSource,
    private readonly ingestion: IngestionService,
  ) {}

  /** The port actually bound (SMTP_LISTEN_PORT may be 0 in tests), or null when not listening. */
  get port(): number | null {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.SMTP_ENABLED) return;
    const server = new SMTPServer({
      banner: 'desk inbound mail',
      name: this.config.MAIL_DOMAIN,
      size: this.config.MAX_MESSAGE_BYTES,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      closeTimeout: 5000,
      onRcptTo: (address, session, callback) => {
        this.onRcptTo(address, session).then(
          () => callback(),
          (e: Error) => callback(e),
        );
      },
      onData: (stream, session, callback) => this.onData(stream, session, callback),
    });
    server.on('error', (e) => this.log.warn(`smtp: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.config.SMTP_LISTEN_PORT, this.config.SMTP_LISTEN_HOST, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.boundPort = (server.server.address() as AddressInfo).port;
    this.log.log(`SMTP listener on ${this.config.SMTP_LISTEN_HOST}:${this.boundPort}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async onRcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const inbox = await this.inboxFor(baseAddress(address.address));
    if (!inbox) throw smtpError(550, `No such mailbox here: ${address.address}`);
    let map = this.recipients.get(session);
    if (!map) this.recipients.set(session, (map = new Map()));
    map.set(address.address.toLowerCase(), inbox.id);
  }

  private async inboxFor(base: string): Promise<{ id: string } | null> {
    const cached = this.inboxByAddress.get(base);
    if (cached && Date.now() - cached.at < INBOX_CACHE_MS) return cached;
    let rows: Array<{ id: string }>;
    try {
      rows = await this.ds.query(`SELECT id FROM inboxes WHERE channel = 'email' AND is_active AND lower(address) = $1 LIMIT 1`, [base]);
    } catch (e) {
      this.log.warn(`smtp: inbox lookup failed: ${(e as Error).message}`);
      throw smtpError(451, 'Temporary failure, please try again later');
    }
    const inbox = rows[0];
    if (!inbox) {
      this.inboxByAddress.delete(base);
      return null;
    }
    if (this.inboxByAddress.size > 10_000) this.inboxByAddress.clear();
    this.inboxByAddress.set(base, { id: inbox.id, at: Date.now() });
    return inbox;
  }

  private onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const limit = this.config.MAX_MESSAGE_BYTES;
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    stream.once('error', (e: Error) => callback(smtpError(451, `Error reading message: ${e.message}`)));
    stream.once('end', () => {
      if (stream.sizeExceeded || bytes > limit) {
        callback(smtpError(552, `Message exceeds the maximum size of ${limit} bytes`));
        return;
      }
      this.store(Buffer.concat(chunks, bytes), session).then(
        (ids) => callback(null, `Queued as ${ids.join(',')}`),
        (e: Error) => {
          this.log.warn(`smtp: storing a message failed, answered 451: ${e.message}`);
          callback(smtpError(451, 'Temporary failure storing the message, please try again later'));
        },
      );
    });
  }

  /** One inbound event per distinct recipient inbox; resolves only after each is committed. */
  private async store(raw: Buffer, session: SMTPServerSession): Promise<string[]> {
    const map = this.recipients.get(session) ?? new Map<string, string>();
    const byInbox = new Map<string, string[]>();
    for (const r of session.envelope.rcptTo) {
      const inboxId = map.get(r.address.toLowerCase());
      if (!inboxId) continue;
      byInbox.set(inboxId, [...(byInbox.get(inboxId) ?? []), r.address]);
    }
    if (byInbox.size === 0) throw new Error('no accepted recipient');
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const ids: string[] = [];
    for (const [inboxId, rcptTo] of byInbox) {
      const res = await this.ingestion.accept({
        source: 'email',
        inboxId,
        idempotencyKey: emailIdempotencyKey(raw, inboxId),
        payload: raw,
        contentType: 'message/rfc822',
        meta: { mailFrom, rcptTo, remoteAddress: session.remoteAddress },
      });
      ids.push(res.eventId);
    }
    return ids;
  }
}
