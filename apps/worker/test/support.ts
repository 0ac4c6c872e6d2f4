import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import nodemailer from 'nodemailer';
import type { DataSource } from 'typeorm';

export const uid = () => randomBytes(6).toString('hex');

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface MailOptions {
  from?: string | null;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** A raw RFC 5322 message, so a test states exactly which headers exist. */
export function rawMail(o: MailOptions = {}): string {
  const lines: string[] = [];
  if (o.from !== null) lines.push(`From: ${o.from ?? 'Customer <customer@example.com>'}`);
  lines.push(`To: ${o.to ?? 'support@desk.test'}`);
  if (o.cc) lines.push(`Cc: ${o.cc}`);
  lines.push(`Subject: ${o.subject ?? 'Hello'}`);
  if (o.messageId !== null) lines.push(`Message-ID: <${o.messageId ?? `${uid()}@example.com`}>`);
  if (o.inReplyTo) lines.push(`In-Reply-To: <${o.inReplyTo}>`);
  if (o.references) lines.push(`References: ${o.references}`);
  lines.push(`Date: ${new Date().toUTCString()}`);
  for (const [k, v] of Object.entries(o.headers ?? {})) lines.push(`${k}: ${v}`);
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', o.body ?? 'Hello, I need help.', '');
  return lines.join('\r\n');
}

export function smtpClient(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 15000 });
}

export type SmtpResult = { ok: true; response: string } | { ok: false; code: number | undefined; message: string };

export async function sendRaw(port: number, raw: string | Buffer, envelope: { from: string; to: string[] }): Promise<SmtpResult> {
  const t = smtpClient(port);
  try {
    const info = await t.sendMail({ envelope, raw });
    return { ok: true, response: String(info.response) };
  } catch (e) {
    return { ok: false, code: (e as { responseCode?: number }).responseCode, message: (e as Error).message };
  } finally {
    t.close();
  }
}

export async function messagesByExternalId(ds: DataSource, externalId: string) {
  return ds.query(`SELECT id, thread_id, metadata, is_automatic, inbound_event_id FROM messages WHERE external_id = $1`, [externalId]) as Promise<
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions reach into free-form jsonb metadata
    Array<{ id: string; thread_id: string; metadata: Record<string, any>; is_automatic: boolean; inbound_event_id: string }>
  >;
}

/** Waits until the event is processed or quarantined and returns it. */
export function settledEvent(ds: DataSource, eventId: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const [e] = await ds.query(`SELECT id, status, error, message_id, attempts FROM inbound_events WHERE id = $1`, [eventId]);
      return e && (e.status === 'processed' || e.status === 'quarantined') ? (e as { id: string; status: string; error: string | null; message_id: string | null; attempts: number }) : null;
    },
    `event ${eventId} to settle`,
    timeoutMs,
  );
}
