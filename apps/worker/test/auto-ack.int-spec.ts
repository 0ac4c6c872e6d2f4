import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { emailIdempotencyKey, findHeader, headerBlock, parseEmail, parseHeaderBlock } from '@desk/channels';
import { AUTOMATIC_DELIVERY_PRIORITY, AutoAckService, Inbox, IngestionService, OutboxService, QUEUES, QueueName, SlaClock, SlaPolicy, deliverJobId, ingestJobId, type Queues } from '@desk/core';
import { Factories, createTestEnv, type TestEnv, CaptureRelay, type CapturedMail } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { rawMail, settledEvent, uid, waitFor, type MailOptions } from './support';

jest.setTimeout(60_000);

describe('automatic acknowledgement (ingestion → SLA → ack → deliver, real Postgres, Redis and SMTP relay)', () => {
  const relay = new CaptureRelay();
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;
  let ingestion: IngestionService;
  let autoAck: AutoAckService;
  let queues: Queues;

  beforeAll(async () => {
    await relay.start();
    env = await createTestEnv({ SMTP_RELAY_URL: relay.url });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
    ingestion = worker.get(IngestionService);
    autoAck = worker.get(AutoAckService);
    queues = worker.get<Queues>(QUEUES);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
    await relay.stop();
  });

  let position = 0;
  /** An email inbox of its own, with (by default) an SLA policy matching only it. */
  async function inbox(p: Partial<Inbox> = {}, policy: Partial<SlaPolicy> | null = {}) {
    const i = await f.inbox({ name: 'Acme Support', address: `support-${uid()}@acme.test`, ...p });
    if (policy) {
      await ds.getRepository(SlaPolicy).save({
        name: `ack-${++position}`,
        position: 100 + position,
        conditions: { inboxIds: [i.id] },
        firstResponseMinutes: 120,
        nextResponseMinutes: 60,
        resolutionMinutes: null,
        warningPercent: 75,
        ...policy,
      });
    }
    return i;
  }

  /** Ingests a mail, waits until its ingest job (hooks included) finished; returns the message and its thread. */
  async function ingest(to: Inbox, o: MailOptions) {
    const raw = Buffer.from(rawMail({ to: to.address!, ...o }));
    const { eventId } = await ingestion.accept({ source: 'email', inboxId: to.id, idempotencyKey: emailIdempotencyKey(raw, to.id), payload: raw, contentType: 'message/rfc822' });
    const ev = await settledEvent(ds, eventId);
    expect(ev.status).toBe('processed');
    await waitFor(async () => {
      const job = await queues[QueueName.Ingest].getJob(ingestJobId(eventId));
      return !job || (await job.getState()) === 'completed';
    }, 'the ingest job (and its hooks) to finish');
    const [m]: Array<{ id: string; thread_id: string; number: number }> = await ds.query(
      `SELECT m.id, m.thread_id, t.number FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.id = $1`,
      [ev.message_id],
    );
    return { messageId: m!.id, threadId: m!.thread_id, number: m!.number };
  }

  const acksOf = (threadId: string) =>
    ds.query(
      `SELECT id, author_agent_id, is_automatic, metadata, body_text, external_id, created_at FROM messages
        WHERE thread_id = $1 AND direction = 'outbound' AND metadata @> '{"autoAck": true}'::jsonb ORDER BY created_at`,
      [threadId],
    ) as Promise<Array<{ id: string; author_agent_id: string | null; is_automatic: boolean; metadata: { autoAck?: boolean; ackOf?: string; clockId?: string | null; promise?: string }; body_text: string; external_id: string; created_at: Date }>>;
  const mailsTo = (address: string): CapturedMail[] => relay.accepted.filter((m) => m.rcptTo.includes(address));
  const delivered = (address: string, n = 1) => waitFor(async () => (mailsTo(address).length >= n ? mailsTo(address) : null), `${n} mail(s) to ${address}`);

  it("a customer's first email gets one acknowledgement with the number and the promise; the SLA clock keeps running", async () => {
    const box = await inbox();
    const customer = `jane-${uid()}@example.com`;
    const first = await ingest(box, { from: `Jane Doe <${customer}>`, subject: 'Printer on fire' });

    const [mail] = await delivered(customer);
    const headers = parseHeaderBlock(headerBlock(mail!.raw));
    expect(findHeader(headers, 'auto-submitted')).toBe('auto-replied');
    expect(findHeader(headers, 'subject')).toBe(`Re: Printer on fire [#${first.number}]`);
    expect(mail!.mailFrom).toBe(box.address);
    const parsed = await parseEmail(mail!.raw, { maxAttachmentBytes: 1_000_000 });
    // our own inbound side would never answer it in turn
    expect(parsed.isAutomatic).toBe(true);

    const [clock] = await ds.getRepository(SlaClock).find({ where: { threadId: first.threadId, metric: 'first_response' } });
    expect(clock).toMatchObject({ status: 'running', metAt: null });
    const hhmm = clock!.dueAt.toISOString().slice(11, 16); // the policy has no calendar: 24/7 in UTC
    const acks = await acksOf(first.threadId);
    expect(acks).toHaveLength(1);
    const ack = acks[0]!;
    expect(ack).toMatchObject({ author_agent_id: null, is_automatic: true });
    expect(ack.metadata).toMatchObject({ autoAck: true, ackOf: first.messageId, clockId: clock!.id });
    expect(ack.metadata.promise).toMatch(new RegExp(`^by (today|tomorrow) ${hhmm}$`));
    expect(ack.body_text).toBe(
      `Hello Jane Doe,\n\nthanks for writing to us. Your request is #${first.number}. We will answer ${ack.metadata.promise}.\n\n— Acme Support`,
    );
    expect(parsed.text).toContain(`Your request is #${first.number}. We will answer ${ack.metadata.promise}.`);

    // not the human acknowledgement and not agent activity
    const [t] = await ds.query(`SELECT last_agent_message_at, sla_due_at FROM threads WHERE id = $1`, [first.threadId]);
    expect(t.last_agent_message_at).toBeNull();
    expect(new Date(t.sla_due_at).getTime()).toBe(clock!.dueAt.getTime());
    const [d] = await ds.query(`SELECT id, status FROM outbound_deliveries WHERE message_id = $1`, [ack.id]);
    expect(d.status).toBe('sent');
    // its job waited behind any agent's reply (BullMQ runs jobs without a priority first)
    expect((await queues[QueueName.Deliver].getJob(deliverJobId(d.id)))?.opts.priority).toBe(AUTOMATIC_DELIVERY_PRIORITY);
    expect((await ds.getRepository(SlaClock).findOneByOrFail({ id: clock!.id })).status).toBe('running');
  });

  it('a second mail within the quiet period gets none; after the quiet period it gets one again', async () => {
    const box = await inbox();
    const customer = `sam-${uid()}@example.com`;
    const firstId = `${uid()}@example.com`;
    const first = await ingest(box, { from: customer, messageId: firstId, subject: 'Invoice' });
    await delivered(customer);
    const second = await ingest(box, { from: customer, inReplyTo: firstId, subject: 'Re: Invoice', body: 'any news?' });
    expect(second.threadId).toBe(first.threadId);
    expect(await acksOf(first.threadId)).toHaveLength(1);
    expect(await autoAck.maybeAcknowledge({ threadId: first.threadId, messageId: second.messageId, isAutomatic: false, isNewThread: false })).toEqual({ sent: false, reason: 'quiet-period' });

    // 25 hours later (default AUTO_ACK_QUIET_HOURS = 24)
    await ds.query(`UPDATE messages SET created_at = created_at - interval '25 hours' WHERE thread_id = $1 AND direction = 'outbound'`, [first.threadId]);
    await ds.query(`UPDATE threads SET last_auto_ack_at = last_auto_ack_at - interval '25 hours' WHERE id = $1`, [first.threadId]);
    await ingest(box, { from: customer, inReplyTo: firstId, subject: 'Re: Invoice', body: 'hello again' });
    expect(await acksOf(first.threadId)).toHaveLength(2);
    await delivered(customer, 2);
  });

  it('automatic mail and no-reply senders get none', async () => {
    const box = await inbox();
    const person = `ooo-${uid()}@example.com`;
    const ooo = await ingest(box, { from: person, subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } });
    const noreply = await ingest(box, { from: `Shop <NoReply@shop-${uid()}.example>`, subject: 'Your order' });
    const daemon = await ingest(box, { from: `MAILER-DAEMON@mx-${uid()}.example`, subject: 'Undelivered Mail' });
    for (const m of [ooo, noreply, daemon]) expect(await acksOf(m.threadId)).toHaveLength(0);
    expect(await autoAck.maybeAcknowledge({ threadId: noreply.threadId, messageId: noreply.messageId, isAutomatic: false, isNewThread: true })).toEqual({ sent: false, reason: 'no-reply-sender' });
    expect(await autoAck.maybeAcknowledge({ threadId: ooo.threadId, messageId: ooo.messageId, isAutomatic: false, isNewThread: true })).toEqual({ sent: false, reason: 'automatic' });
  });

  it('mail from one of our own inbox addresses gets none', async () => {
    const box = await inbox();
    const other = await inbox({ address: `sales-${uid()}@acme.test` }, null);
    const m = await ingest(box, { from: other.address!.replace('@', '+fwd@'), subject: 'Forwarded' });
    expect(await acksOf(m.threadId)).toHaveLength(0);
    expect(await autoAck.maybeAcknowledge({ threadId: m.threadId, messageId: m.messageId, isAutomatic: false, isNewThread: true })).toEqual({ sent: false, reason: 'own-address' });
  });

  it('an inbox with autoAckEnabled false sends none', async () => {
    const box = await inbox({ autoAckEnabled: false });
    const m = await ingest(box, { from: `kim-${uid()}@example.com`, subject: 'Hi' });
    expect(await acksOf(m.threadId)).toHaveLength(0);
  });

  it("the inbox's template is rendered; without a running clock the promise is neutral", async () => {
    const box = await inbox({ name: 'Billing', ackTemplate: 'Hi {{name}}! Ticket {{ number }} at {{inbox}}: we answer {{promise}}. {{unknown}}' }, null);
    const customer = `lee-${uid()}@example.com`;
    const m = await ingest(box, { from: `Lee <${customer}>`, subject: 'Refund' });
    const [ack] = await acksOf(m.threadId);
    expect(ack!.body_text).toBe(`Hi Lee! Ticket ${m.number} at Billing: we answer as soon as we can. {{unknown}}`);
    const [mail] = await delivered(customer);
    const parsed = await parseEmail(mail!.raw, { maxAttachmentBytes: 1_000_000 });
    expect(parsed.text).toContain(`Hi Lee! Ticket ${m.number} at Billing`);
  });

  it("an agent who opened the thread before the acknowledgement is not held by it, and the agent's reply meets the clock", async () => {
    const box = await inbox();
    const customer = `ann-${uid()}@example.com`;
    const m = await ingest(box, { from: customer, subject: 'Login' });
    expect(await acksOf(m.threadId)).toHaveLength(1);
    const agent = await f.agent();
    // version 1 is what the agent saw when the thread appeared; the acknowledgement made it 2
    const reply = await worker.get(OutboxService).post(m.threadId, { kind: 'reply', body: 'Looking into it.', seenVersion: 1 }, { id: agent.id, role: 'agent', teamIds: [] });
    expect(reply.direction).toBe('outbound');
    const [clock] = await ds.getRepository(SlaClock).find({ where: { threadId: m.threadId, metric: 'first_response' } });
    expect(clock!.status).toBe('met');
  });

  it('social channels: a DM is acknowledged privately (once per quiet period); a public mention only with settings.autoAckPublic', async () => {
    const x = await f.inbox({ channel: 'x', address: '@acme', autoAckEnabled: true, settings: { userId: '900', consumerSecret: 's' } });
    const contact = await f.contact();
    const socialMessage = async (isPublic: boolean, senderId: string) => {
      const thread = await f.thread({ channel: 'x', inboxId: x.id, contactId: contact.id });
      const target = isPublic ? { kind: 'x-tweet', id: uid() } : { kind: 'x-dm', id: senderId };
      const msg = await f.message({ threadId: thread.id, contactId: contact.id, channel: 'x', externalId: uid(), isPublic, metadata: { replyTarget: target, from: { address: senderId } } });
      return { thread, msg };
    };
    const ack = (t: { thread: { id: string }; msg: { id: string } }) => autoAck.maybeAcknowledge({ threadId: t.thread.id, messageId: t.msg.id, isAutomatic: false, isNewThread: true });

    const dm = await socialMessage(false, '41');
    expect(await ack(dm)).toMatchObject({ sent: true });
    const [written] = await acksOf(dm.thread.id);
    expect(written).toMatchObject({ author_agent_id: null, is_automatic: true, metadata: expect.objectContaining({ autoAck: true, replyTarget: { kind: 'x-dm', id: '41' } }) });
    expect(written!.body_text).toContain(String(dm.thread.number));
    const [row] = await ds.query(`SELECT m.is_public, m.channel, d.channel AS delivery_channel FROM messages m JOIN outbound_deliveries d ON d.message_id = m.id WHERE m.id = $1`, [written!.id]);
    expect(row).toEqual({ is_public: false, channel: 'x', delivery_channel: 'x' });
    expect(await ack(dm)).toEqual({ sent: false, reason: 'quiet-period' });

    const mention = await socialMessage(true, '42');
    expect(await ack(mention)).toEqual({ sent: false, reason: 'public-off' });
    expect(await acksOf(mention.thread.id)).toHaveLength(0);
    // our own account is never acknowledged
    const own = await socialMessage(false, '900');
    expect(await ack(own)).toEqual({ sent: false, reason: 'own-address' });

    await ds.getRepository(Inbox).update({ id: x.id }, { settings: { userId: '900', consumerSecret: 's', autoAckPublic: true } });
    const allowed = await socialMessage(true, '43');
    expect(await ack(allowed)).toMatchObject({ sent: true });

    await ds.getRepository(Inbox).update({ id: x.id }, { autoAckEnabled: false });
    expect(await ack(await socialMessage(false, '44'))).toEqual({ sent: false, reason: 'disabled' });
  });

  it('two messages of one new thread acknowledged at once: exactly one acknowledgement', async () => {
    const box = await inbox({ autoAckEnabled: false });
    const customer = `max-${uid()}@example.com`;
    const firstId = `${uid()}@example.com`;
    const a = await ingest(box, { from: customer, messageId: firstId, subject: 'Two at once' });
    const b = await ingest(box, { from: customer, inReplyTo: firstId, subject: 'Re: Two at once' });
    expect(b.threadId).toBe(a.threadId);
    await ds.getRepository(Inbox).update({ id: box.id }, { autoAckEnabled: true });

    const calls = [a, b, a, b, b, a].map((m) => autoAck.maybeAcknowledge({ threadId: m.threadId, messageId: m.messageId, isAutomatic: false, isNewThread: true }));
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o.sent)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.sent).every((o) => !o.sent && o.reason === 'quiet-period')).toBe(true);
    expect(await acksOf(a.threadId)).toHaveLength(1);
    await delivered(customer);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo(customer)).toHaveLength(1);
  });
});
