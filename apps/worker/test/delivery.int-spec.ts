import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { simpleParser } from 'mailparser';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import type { Job } from 'bullmq';
import { extractMarker, extractPlusToken, findHeader, headerBlock, parseHeaderBlock, verifyThreadToken } from '@desk/channels';
import { AttachmentsService, MailMessageId, OutboxService, QUEUES, QueueName, Thread, deliverJobId, deriveThreadSecret, type Queues, type Viewer } from '@desk/core';
import { Factories, createTestEnv, type TestEnv, CaptureRelay } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { DeliverJob, NO_RELAY, type DeliverJobData } from '../src/delivery/deliver.job';
import { DeliverReconcileJob } from '../src/delivery/deliver-reconcile.job';

// retries wait for BullMQ's backoff (5 s first); jest's default 5 s per test is too short
jest.setTimeout(60_000);

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outbound email: the deliver job against a real SMTP relay (real Postgres and Redis)', () => {
  const relay = new CaptureRelay();
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;
  let outbox: OutboxService;
  let queues: Queues;
  let secret: string;

  beforeAll(async () => {
    await relay.start();
    env = await createTestEnv({ SMTP_RELAY_URL: relay.url });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
    outbox = worker.get(OutboxService);
    queues = worker.get<Queues>(QUEUES);
    secret = deriveThreadSecret(env.config.APP_SECRET);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
    await relay.stop();
  });
  beforeEach(() => relay.reset());

  /** A thread with two customer mails already threaded, as ingestion leaves it. */
  async function emailThread() {
    const inbox = await f.inbox({ name: 'Acme Support', address: 'support@acme.test' });
    const contact = await f.contact({ email: `jane-${Date.now()}@example.com` });
    const thread = await f.thread({ inboxId: inbox.id, contactId: contact.id, subject: 'Broken widget' });
    const stamp = `${Date.now()}.${Math.random().toString(36).slice(2)}`;
    const ids = [`first-${stamp}@example.com`, `second-${stamp}@example.com`];
    for (const externalId of ids) {
      const m = await f.message({ threadId: thread.id, contactId: contact.id, externalId });
      await ds.getRepository(MailMessageId).save({ messageIdHeader: externalId, threadId: thread.id, messageId: m.id, source: 'inbound' });
      await new Promise((r) => setTimeout(r, 5)); // distinct created_at, so order is defined
    }
    const agent = await f.agent();
    const viewer: Viewer = { id: agent.id, role: 'agent', teamIds: [] };
    return { inbox, contact, thread, ids, viewer };
  }

  const reply = async (threadId: string, viewer: Viewer, body = 'We fixed it.\n\nBest, Acme') => {
    const t = await ds.getRepository(Thread).findOneByOrFail({ id: threadId });
    return outbox.post(threadId, { kind: 'reply', body, seenVersion: t.version }, viewer);
  };
  const deliveryOf = async (messageId: string) =>
    (await ds.query(`SELECT id, status, attempts, last_error, provider_message_id, sent_at FROM outbound_deliveries WHERE message_id = $1`, [messageId]))[0];
  const messageRow = async (id: string) => (await ds.query(`SELECT external_id, delivery_state, delivery_error FROM messages WHERE id = $1`, [id]))[0];
  const settled = (messageId: string) => until('the delivery to settle', async () => {
    const d = await deliveryOf(messageId);
    return d && (d.status === 'sent' || d.status === 'failed') ? d : null;
  });

  it('delivers a reply with our Message-ID, the thread chain, a signed Reply-To, [#N] and the marker', async () => {
    const { thread, ids, contact, viewer } = await emailThread();
    const dto = await reply(thread.id, viewer);
    const d = await settled(dto.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'ABC123', last_error: null });
    expect(d.sent_at).not.toBeNull();
    // an agent's reply has no priority, so it runs before any waiting acknowledgement
    expect((await queues[QueueName.Deliver].getJob(deliverJobId(d.id)))?.opts.priority).toBeUndefined();
    const stored = await messageRow(dto.id);
    expect(stored.delivery_state).toBe('sent');

    expect(relay.accepted).toHaveLength(1);
    const mail = relay.accepted[0]!;
    expect(mail.rcptTo).toEqual([contact.primaryEmail]);
    expect(mail.mailFrom).toBe('support@acme.test');
    const headers = parseHeaderBlock(headerBlock(mail.raw));
    const h = (name: string) => findHeader(headers, name);
    expect(h('message-id')).toBe(`<${stored.external_id}>`);
    expect(h('in-reply-to')).toBe(`<${ids[1]}>`);
    expect(h('references')).toBe(`<${ids[0]}> <${ids[1]}>`);
    expect(h('subject')).toBe(`Re: Broken widget [#${thread.number}]`);
    expect(h('from')).toMatch(/^"?Acme Support"? <support@acme\.test>$/);
    const replyTo = h('reply-to')!;
    expect(replyTo).toMatch(/^support\+\d+\.[0-9a-f]{16}@acme\.test$/);
    expect(verifyThreadToken(extractPlusToken(replyTo)!, secret)).toBe(thread.number);
    const body = mail.raw.toString('utf8');
    expect(body).toContain('We fixed it.');
    const marker = extractMarker(body, secret);
    expect(marker).toMatchObject({ threadNumber: thread.number, valid: true });
  });

  it('retries a temporary refusal (451) and counts both attempts', async () => {
    relay.plan.push({ code: 451, text: '4.3.0 Try again later' });
    const { thread, viewer } = await emailThread();
    const dto = await reply(thread.id, viewer);
    const retrying = await until('the retrying state', async () => {
      const d = await deliveryOf(dto.id);
      return d?.status === 'retrying' || d?.status === 'sent' ? d : null;
    });
    if (retrying.status === 'retrying') {
      expect(retrying.last_error).toMatch(/451/);
      expect((await messageRow(dto.id)).delivery_state).toBe('queued');
    }
    const d = await settled(dto.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(relay.dataCount).toBe(2);
    expect(relay.accepted).toHaveLength(1);
    expect((await messageRow(dto.id)).delivery_state).toBe('sent');
  });

  it('records a permanent refusal (550) with the server answer and does not retry it', async () => {
    relay.defaultAnswer = { code: 550, text: '5.1.1 <nobody@example.com>: Recipient address rejected' };
    const { thread, viewer } = await emailThread();
    const dto = await reply(thread.id, viewer);
    const d = await settled(dto.id);
    expect(d.status).toBe('failed');
    expect(d.attempts).toBe(1);
    expect(d.last_error).toMatch(/^550 5\.1\.1 <nobody@example\.com>: Recipient address rejected/);
    const m = await messageRow(dto.id);
    expect(m).toMatchObject({ delivery_state: 'failed' });
    expect(m.delivery_error).toBe(d.last_error);
    // longer than the first backoff (5 s): no second attempt happens
    await new Promise((r) => setTimeout(r, 6_500));
    expect(relay.dataCount).toBe(1);
    expect((await deliveryOf(dto.id)).attempts).toBe(1);
    const job = await queues[QueueName.Deliver].getJob(`deliver-${d.id}`);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
  });

  it('never sends a note to the relay', async () => {
    const { thread, viewer } = await emailThread();
    const t = await ds.getRepository(Thread).findOneByOrFail({ id: thread.id });
    const note = await outbox.post(thread.id, { kind: 'note', body: 'internal: customer is VIP', seenVersion: t.version }, viewer);
    expect(await ds.query(`SELECT 1 FROM outbound_deliveries WHERE message_id = $1`, [note.id])).toHaveLength(0);
    // a reply written after the note leaves; by then the note had every chance to leave too
    const dto = await reply(thread.id, viewer, 'public answer');
    await settled(dto.id);
    expect(relay.accepted).toHaveLength(1);
    const raw = relay.accepted[0]!.raw.toString('utf8');
    expect(raw).toContain('public answer');
    expect(raw).not.toContain('VIP');
  });

  it('sends a reply with two uploaded attachments as multipart, both files byte-identical', async () => {
    const { thread, viewer } = await emailThread();
    const attachments = worker.get(AttachmentsService);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    const files = [
      { bytes: randomBytes(300_000), filename: 'scan.pdf', contentType: 'application/pdf' },
      { bytes: Buffer.from('Größe;Preis\n1;2,50 €\n', 'utf8'), filename: 'Preisliste März.csv', contentType: 'text/csv' },
    ];
    const ids: string[] = [];
    for (const file of files) ids.push((await attachments.upload(Readable.from([file.bytes]), file, viewer)).id);
    const t = await ds.getRepository(Thread).findOneByOrFail({ id: thread.id });
    const dto = await outbox.post(thread.id, { kind: 'reply', body: 'Both files attached.', seenVersion: t.version, attachmentIds: ids }, viewer);
    expect(dto.attachments.map((a) => a.id)).toEqual(ids);

    expect(await settled(dto.id)).toMatchObject({ status: 'sent' });
    expect(relay.accepted).toHaveLength(1);
    const raw = relay.accepted[0]!.raw;
    expect(raw.toString('utf8')).toMatch(/^Content-Type: multipart\/mixed;/im);
    const parsed = await simpleParser(raw);
    expect(parsed.text).toContain('Both files attached.');
    expect(parsed.attachments).toHaveLength(2);
    for (const [i, file] of files.entries()) {
      const got = parsed.attachments[i]!;
      expect(got.filename).toBe(file.filename);
      expect(got.contentType).toBe(file.contentType);
      expect(sha(got.content)).toBe(sha(file.bytes));
    }
  });

  it('keeps a Message-ID the relay says it rewrote ours to, so answers to it still thread', async () => {
    relay.defaultAnswer = { ok: 'Ok <0100018c-rewritten-id@email.relay.test>' };
    const { thread, viewer } = await emailThread();
    const dto = await reply(thread.id, viewer);
    const d = await settled(dto.id);
    expect(d).toMatchObject({ status: 'sent', provider_message_id: '0100018c-rewritten-id@email.relay.test' });
    const rows = await ds.query(`SELECT message_id_header, thread_id, source FROM mail_message_ids WHERE message_id = $1 ORDER BY source`, [dto.id]);
    expect(rows.map((r: { source: string }) => r.source)).toEqual(['outbound', 'relay']);
    expect(rows[1]).toMatchObject({ message_id_header: '0100018c-rewritten-id@email.relay.test', thread_id: thread.id });
  });

  it('re-creates the job of a waiting delivery whose job was lost (Redis flushed)', async () => {
    const queue = queues[QueueName.Deliver];
    await queue.pause();
    try {
      const { thread, viewer } = await emailThread();
      const dto = await reply(thread.id, viewer);
      const d = await deliveryOf(dto.id);
      const job = await queue.getJob(`deliver-${d.id}`);
      await job!.remove();
      expect(await queue.getJob(`deliver-${d.id}`)).toBeUndefined();
      // older than the reconciler's grace period
      await ds.query(`UPDATE outbound_deliveries SET updated_at = now() - interval '2 minutes' WHERE id = $1`, [d.id]);
      expect(await worker.get(DeliverReconcileJob).handle()).toEqual({ requeued: 1 });
      expect(await queue.getJob(`deliver-${d.id}`)).toBeDefined();
      await queue.resume();
      expect(await settled(dto.id)).toMatchObject({ status: 'sent', attempts: 1 });
      // a second run finds nothing to do
      expect(await worker.get(DeliverReconcileJob).handle()).toEqual({ requeued: 0 });
    } finally {
      await queue.resume();
    }
  });

  it('without a relay leaves the delivery queued and fails the job with a clear error', async () => {
    const queue = queues[QueueName.Deliver];
    await queue.pause();
    try {
      const { thread, viewer } = await emailThread();
      const dto = await reply(thread.id, viewer);
      const d = await deliveryOf(dto.id);
      await queue.getJob(`deliver-${d.id}`).then((j) => j?.remove());
      const noRelay = new DeliverJob(outbox, { ...env.config, SMTP_RELAY_URL: undefined });
      const fake = { data: { deliveryId: d.id }, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<DeliverJobData>;
      await expect(noRelay.handle(fake)).rejects.toThrow(NO_RELAY);
      expect(await deliveryOf(dto.id)).toMatchObject({ status: 'queued', attempts: 0 });
      expect((await messageRow(dto.id)).delivery_state).toBe('queued');
    } finally {
      await queue.resume();
    }
  });

  it('claims deliveries running at once in one statement, and each mail still carries its own thread', async () => {
    const queue = queues[QueueName.Deliver];
    await queue.pause();
    const claimMany = jest.spyOn(outbox, 'claimMany');
    try {
      const threads = [await emailThread(), await emailThread(), await emailThread()];
      const dtos = [];
      for (const t of threads) dtos.push(await reply(t.thread.id, t.viewer, `Answer for #${t.thread.number}`));
      const deliveries = await Promise.all(dtos.map((dto) => deliveryOf(dto.id)));
      // the queue's own jobs are removed, so these three calls are the only deliverers
      for (const d of deliveries) await queue.getJob(`deliver-${d.id}`).then((j) => j?.remove());
      const job = worker.get(DeliverJob);
      const fake = (id: string) => ({ data: { deliveryId: id }, attemptsMade: 0, opts: { attempts: 8 } }) as unknown as Job<DeliverJobData>;
      await expect(Promise.all(deliveries.map((d) => job.handle(fake(d.id))))).resolves.toEqual(deliveries.map(() => ({ status: 'sent' })));

      expect(claimMany.mock.calls.map(([ids]) => ids)).toEqual([deliveries.map((d) => d.id)]);
      expect(relay.accepted).toHaveLength(3);
      for (const [i, { thread, ids }] of threads.entries()) {
        const mail = relay.accepted.find((m) => m.raw.toString('utf8').includes(`Answer for #${thread.number}`))!;
        const h = (name: string) => findHeader(parseHeaderBlock(headerBlock(mail.raw)), name);
        expect(h('in-reply-to')).toBe(`<${ids[1]}>`);
        expect(h('references')).toBe(`<${ids[0]}> <${ids[1]}>`);
        expect(h('subject')).toBe(`Re: Broken widget [#${thread.number}]`);
        expect(await deliveryOf(dtos[i]!.id)).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: 'ABC123' });
        expect(await messageRow(dtos[i]!.id)).toMatchObject({ delivery_state: 'sent', delivery_error: null });
      }
    } finally {
      claimMany.mockRestore();
      await queue.resume();
    }
  });

  it('gives a group\'s claimed deliveries back when reading them fails, so their retry sends them at once', async () => {
    const queue = queues[QueueName.Deliver];
    await queue.pause();
    let read: jest.SpyInstance | undefined;
    try {
      const threads = [await emailThread(), await emailThread()];
      const dtos = [];
      for (const t of threads) dtos.push(await reply(t.thread.id, t.viewer, `Given back for #${t.thread.number}`));
      const deliveries = await Promise.all(dtos.map((dto) => deliveryOf(dto.id)));
      for (const d of deliveries) await queue.getJob(`deliver-${d.id}`).then((j) => j?.remove());
      const before = relay.accepted.length;
      const job = worker.get(DeliverJob);
      const fake = (id: string) => ({ data: { deliveryId: id }, attemptsMade: 0, opts: { attempts: 8 } }) as unknown as Job<DeliverJobData>;
      // armed now, so that only the group's read meets it
      read = jest.spyOn(SelectQueryBuilder.prototype, 'getMany').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
      // the group's read fails once; each is then claimed again alone and sent, the failed try not counted
      await expect(Promise.all(deliveries.map((d) => job.handle(fake(d.id))))).resolves.toEqual(deliveries.map(() => ({ status: 'sent' })));
      expect(read).toHaveBeenCalled();
      expect(relay.accepted.length - before).toBe(2);
      for (const dto of dtos) {
        expect(await deliveryOf(dto.id)).toMatchObject({ status: 'sent', attempts: 1 });
        expect(await messageRow(dto.id)).toMatchObject({ delivery_state: 'sent' });
      }
    } finally {
      read?.mockRestore();
      await queue.resume();
    }
  });

  it('ignores a job whose delivery is no longer waiting (duplicate or late job)', async () => {
    const { thread, viewer } = await emailThread();
    const dto = await reply(thread.id, viewer);
    const d = await settled(dto.id);
    const job = worker.get(DeliverJob);
    const fake = { data: { deliveryId: d.id }, attemptsMade: 0, opts: { attempts: 8 } } as unknown as Job<DeliverJobData>;
    await expect(job.handle(fake)).resolves.toEqual({ status: 'skipped' });
    expect(relay.accepted).toHaveLength(1);
    expect((await deliveryOf(dto.id)).attempts).toBe(1);
  });
});
