import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { buildMarker, emailIdempotencyKey, signThreadToken } from '@desk/channels';
import { IngestionService, deriveThreadSecret } from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { rawMail, settledEvent, uid, type MailOptions } from './support';

jest.setTimeout(60_000);

type Landed = { threadId: string; number: number; flags: Record<string, unknown>; linkedThreadId: string | null; rule: string; detail: string; messageId: string };

describe('email threading (ingest job)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let ingestion: IngestionService;
  let inboxId: string;
  let secret: string;
  const support = `support-${uid()}@desk.test`;
  const customer = `customer-${uid()}@example.com`;
  const stranger = `stranger-${uid()}@example.org`;

  async function ingest(o: MailOptions): Promise<Landed> {
    const raw = Buffer.from(rawMail({ to: support, ...o }));
    const { eventId } = await ingestion.accept({ source: 'email', inboxId, idempotencyKey: emailIdempotencyKey(raw, inboxId), payload: raw, contentType: 'message/rfc822' });
    const ev = await settledEvent(ds, eventId);
    expect(ev).toMatchObject({ status: 'processed' });
    const [m] = await ds.query(
      `SELECT m.id, m.thread_id, m.metadata, t.number, t.flags, t.linked_thread_id FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.id = $1`,
      [ev.message_id],
    );
    return { threadId: m.thread_id, number: m.number, flags: m.flags, linkedThreadId: m.linked_thread_id, rule: m.metadata.threading.rule, detail: m.metadata.threading.detail, messageId: m.id };
  }

  beforeAll(async () => {
    env = await createTestEnv();
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    ingestion = worker.get(IngestionService);
    inboxId = (await new Factories(ds).inbox({ address: support })).id;
    secret = deriveThreadSecret(env.config.APP_SECRET);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  let first: Landed;
  const firstId = `${uid()}@example.com`;

  it('a customer mail opens a new thread, and says why', async () => {
    first = await ingest({ from: customer, messageId: firstId, subject: 'Printer broken', cc: `colleague-${customer}` });
    expect(first.rule).toBe('new');
    expect(first.detail).toMatch(/no key matched/);
    const [audit] = await ds.query(`SELECT action, data FROM audit_events WHERE thread_id = $1`, [first.threadId]);
    expect(audit).toMatchObject({ action: 'thread.created', data: { rule: 'new', messageId: first.messageId } });
  });

  it('a reply with In-Reply-To of a known id joins the thread', async () => {
    const r = await ingest({ from: customer, inReplyTo: firstId, subject: 'Re: Printer broken' });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'references' });
    const [audit] = await ds.query(`SELECT data FROM audit_events WHERE data->>'messageId' = $1`, [r.messageId]);
    expect(audit.data.rule).toBe('references');
  });

  it('a known id deep in References (headers rewritten elsewhere) still joins', async () => {
    const r = await ingest({ from: customer, references: `<unknown-${uid()}@x> <${firstId}> <other-${uid()}@y>`, subject: 'again' });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'references' });
  });

  it('stripped headers but a valid signed plus-address token joins', async () => {
    const to = support.replace('@', `+${signThreadToken(first.number, secret)}@`);
    const r = await ingest({ from: customer, to, subject: 'no threading headers' });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'token' });
  });

  it('a valid body marker from the customer joins', async () => {
    const r = await ingest({ from: customer, subject: 'hello', body: `see below\r\n\r\n> old text ${buildMarker(first.number, secret).text}` });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'marker' });
  });

  it('only [#N] in the subject from the same sender joins', async () => {
    const r = await ingest({ from: customer, subject: `Re: Printer broken [#${first.number}]` });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'subject' });
  });

  it('a cc of an earlier message is a participant: [#N] joins', async () => {
    const r = await ingest({ from: `colleague-${customer}`, subject: `Re: [#${first.number}]` });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'subject' });
  });

  it('a stranger quoting [#N] gets a new thread flagged as possible follow-up', async () => {
    const r = await ingest({ from: stranger, subject: `About [#${first.number}]` });
    expect(r.threadId).not.toBe(first.threadId);
    expect(r.rule).toBe('new');
    expect(r.flags).toEqual({ possibleFollowUpOf: first.number });
    expect(r.detail).toMatch(/not a participant/);
  });

  it('a stranger with a known In-Reply-To is not joined either', async () => {
    const r = await ingest({ from: `other-${stranger}`, inReplyTo: firstId });
    expect(r.threadId).not.toBe(first.threadId);
    expect(r.flags).toEqual({ possibleFollowUpOf: first.number });
  });

  it('a forged token is not joined', async () => {
    const to = support.replace('@', `+${first.number}.0123456789abcdef@`);
    const r = await ingest({ from: `forger-${stranger}`, to, subject: 'let me in' });
    expect(r.threadId).not.toBe(first.threadId);
    expect(r.rule).toBe('new');
    expect(r.flags).toEqual({});
  });

  it('a valid signed token joins whoever sends it (it was only given out by us)', async () => {
    const to = support.replace('@', `+${signThreadToken(first.number, secret)}@`);
    const r = await ingest({ from: `forwarded-${stranger}`, to });
    expect(r).toMatchObject({ threadId: first.threadId, rule: 'token' });
  });

  it('reopens a resolved thread with a customer mail, but not with an automatic one', async () => {
    await ds.query(`UPDATE threads SET status = 'resolved', resolved_at = now() - interval '1 day' WHERE id = $1`, [first.threadId]);
    const auto = await ingest({ from: customer, inReplyTo: firstId, headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(auto.threadId).toBe(first.threadId);
    expect((await ds.query(`SELECT status FROM threads WHERE id = $1`, [first.threadId]))[0].status).toBe('resolved');
    await ingest({ from: customer, inReplyTo: firstId });
    expect((await ds.query(`SELECT status, resolved_at FROM threads WHERE id = $1`, [first.threadId]))[0]).toEqual({ status: 'open', resolved_at: null });
  });

  it('a thread resolved longer ago than the limit is not reopened: new linked thread', async () => {
    await ds.query(`UPDATE threads SET status = 'resolved', resolved_at = now() - interval '40 days' WHERE id = $1`, [first.threadId]);
    const r = await ingest({ from: customer, inReplyTo: firstId });
    expect(r.threadId).not.toBe(first.threadId);
    expect(r.linkedThreadId).toBe(first.threadId);
    expect(r.rule).toBe('new');
    expect(r.detail).toMatch(/resolved 40 days ago/);
  });

  it('a DSN bounce of one of our outbound messages marks it failed and lands in its thread as automatic', async () => {
    const t = (await ds.query(`SELECT id FROM threads WHERE linked_thread_id = $1`, [first.threadId]))[0].id as string;
    const ourId = `${uid()}@desk.test`;
    const [out] = await ds.query(
      `INSERT INTO messages (thread_id, direction, channel, external_id, body_text, delivery_state) VALUES ($1, 'outbound', 'email', $2, 'answer', 'sent') RETURNING id`,
      [t, ourId],
    );
    await ds.query(`INSERT INTO mail_message_ids (message_id_header, thread_id, message_id, source) VALUES ($1, $2, $3, 'outbound')`, [ourId, t, out.id]);
    await ds.query(`INSERT INTO outbound_deliveries (message_id, channel, status, attempts) VALUES ($1, 'email', 'sent', 1), ($1, 'email', 'sent', 1)`, [out.id]);
    const boundary = 'dsn-b';
    const body = [
      `--${boundary}`, 'Content-Type: text/plain', '', 'Delivery failed.', '',
      `--${boundary}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.org', '', 'Final-Recipient: rfc822; gone@example.com', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 user unknown', '',
      `--${boundary}`, 'Content-Type: text/rfc822-headers', '', `Message-ID: <${ourId}>`, 'Subject: Re: hello', '',
      `--${boundary}--`, '',
    ].join('\r\n');
    const raw = rawMail({ from: 'MAILER-DAEMON@mx.example.org', subject: 'Undelivered Mail', body: 'x' })
      .replace('Content-Type: text/plain; charset=utf-8\r\n\r\nx\r\n', `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"\r\n\r\n${body}`);
    const bounce = Buffer.from(raw);
    const { eventId } = await ingestion.accept({ source: 'email', inboxId, idempotencyKey: emailIdempotencyKey(bounce, inboxId), payload: bounce, contentType: 'message/rfc822' });
    const ev = await settledEvent(ds, eventId);
    expect(ev.status).toBe('processed');
    const [m] = await ds.query(`SELECT thread_id, is_automatic, metadata FROM messages WHERE id = $1`, [ev.message_id]);
    expect(m).toMatchObject({ thread_id: t, is_automatic: true });
    expect(m.metadata.threading.rule).toBe('references');
    const [o] = await ds.query(`SELECT delivery_state, delivery_error FROM messages WHERE id = $1`, [out.id]);
    expect(o.delivery_state).toBe('failed');
    expect(o.delivery_error).toMatch(/5\.1\.1/);
    const deliveries = await ds.query(`SELECT status FROM outbound_deliveries WHERE message_id = $1 ORDER BY created_at`, [out.id]);
    expect(deliveries.map((d: { status: string }) => d.status).sort()).toEqual(['failed', 'sent']);
  });
});
