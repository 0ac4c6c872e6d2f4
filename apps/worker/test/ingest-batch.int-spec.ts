import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { emailIdempotencyKey } from '@desk/channels';
import { IngestProcessor, IngestionService, QUEUES, QueueName, ingestJobId, type IngestOutcome, type Queues } from '@desk/core';
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { rawMail, uid, waitFor, type MailOptions } from './support';

jest.setTimeout(60_000);

/**
 * IngestProcessor.processMany: a batch of plain mail is committed by one statement and its hooks
 * run as batches, while every mail ends exactly as it would alone: mails of one batch that depend
 * on each other (a reply to a mail of the same batch, one thread twice) still thread right, one
 * sender's new mails count as repeat contacts in their order, and a batch statement that fails (a
 * duplicate delivery) writes nothing and lets each mail run alone.
 */
describe('ingest batches', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let processor: IngestProcessor;
  let inboxId: string;
  let address: string;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    processor = worker.get(IngestProcessor);
    address = `support-${uid()}@desk.test`;
    inboxId = (await h.f.inbox({ address })).id;
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  /** An inbound event stored as the listener stores it, but with no job: the test hands it to processMany itself. */
  async function stored(o: MailOptions, inbox = inboxId): Promise<string> {
    return storedRaw(Buffer.from(rawMail({ to: address, ...o })), inbox);
  }

  async function storedRaw(payload: Buffer, inbox = inboxId): Promise<string> {
    const [row]: Array<{ id: string }> = await h.ds.query(
      `INSERT INTO inbound_events (source, inbox_id, idempotency_key, payload, content_type, meta) VALUES ('email', $1, $2, $3, 'message/rfc822', '{}') RETURNING id`,
      [inbox, emailIdempotencyKey(payload, inbox), payload],
    );
    return row!.id;
  }

  const processed = (o: IngestOutcome | Error | undefined) => {
    if (!o || o instanceof Error || o.outcome !== 'processed') throw new Error(`not processed: ${o instanceof Error ? o.message : JSON.stringify(o)}`);
    return o;
  };

  it('commits a batch of plain mail from new senders in one statement, with one new contact, thread, audit event and acknowledgement each', async () => {
    const senders = Array.from({ length: 12 }, () => `batch-${uid()}@example.com`);
    const ids: string[] = [];
    for (const [i, s] of senders.entries()) ids.push(await stored({ from: `Customer ${i} <${s}>`, subject: `Batch ${i}` }));

    const query = jest.spyOn(worker.get(DataSource), 'query');
    const results = await processor.processMany(ids);
    const threadInserts = query.mock.calls.filter(([sql]) => /INSERT INTO threads/.test(sql)).length;
    const ackWrites = query.mock.calls.filter(([sql]) => /'message\.auto_acknowledged'/.test(sql)).length;
    const contactInserts = query.mock.calls.filter(([sql]) => /INSERT INTO contacts/.test(sql)).length;
    query.mockRestore();
    // twelve new senders, twelve new threads, twelve acknowledgements: one statement each
    expect(contactInserts).toBe(1);
    expect(threadInserts).toBe(1);
    expect(ackWrites).toBe(1);

    const outcomes = ids.map((id) => processed(results.get(id)));
    expect(outcomes.every((o) => o.isNewThread)).toBe(true);
    expect(new Set(outcomes.map((o) => o.threadId)).size).toBe(12);
    const rows: Array<{ event: string; status: string; message_id: string; thread_id: string; from: string; audits: number; acks: number }> = await h.ds.query(
      `SELECT e.id AS event, e.status, e.message_id, m.thread_id, m.metadata->'from'->>'address' AS from,
              (SELECT count(*)::int FROM audit_events a WHERE a.thread_id = m.thread_id AND a.action = 'thread.created') AS audits,
              (SELECT count(*)::int FROM messages o WHERE o.thread_id = m.thread_id AND o.direction = 'outbound' AND o.metadata @> '{"autoAck": true}') AS acks
         FROM inbound_events e JOIN messages m ON m.id = e.message_id WHERE e.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(12);
    const [{ contacts }] = await h.ds.query(
      `SELECT count(DISTINCT i.contact_id)::int AS contacts FROM contact_identities i WHERE i.kind = 'email' AND i.normalized_value = ANY($1)`,
      [senders],
    );
    expect(contacts).toBe(12);
    for (const r of rows) {
      const i = ids.indexOf(r.event);
      expect(r).toMatchObject({ status: 'processed', message_id: outcomes[i]!.messageId, thread_id: outcomes[i]!.threadId, from: senders[i], audits: 1, acks: 1 });
    }
    // a second run of the same events finds them processed and writes nothing
    const again = await processor.processMany(ids);
    expect(ids.every((id) => (again.get(id) as IngestOutcome).outcome === 'skipped')).toBe(true);
  });

  it('threads mails of one batch that depend on each other as if they had come one by one', async () => {
    const customer = `dep-${uid()}@example.com`;
    const earlierId = `earlier-${uid()}@example.com`;
    const other = `other-${uid()}@example.com`;
    const earlier = processed(await processor.process(await stored({ from: customer, cc: other, subject: 'Earlier', messageId: earlierId })));

    const firstId = `first-${uid()}@example.com`;
    const twice = `twice-${uid()}@example.com`;
    const ids = [
      await stored({ from: customer, subject: 'New question', messageId: firstId }),
      // a reply to the mail just before it, in the same batch
      await stored({ from: customer, subject: 'Re: New question', inReplyTo: firstId, references: `<${firstId}>` }),
      // two replies to one existing thread, from two participants of it
      await stored({ from: other, cc: customer, subject: 'Re: Earlier', inReplyTo: earlierId, references: `<${earlierId}>` }),
      await stored({ from: customer, subject: 'Re: Earlier', inReplyTo: earlierId, references: `<${earlierId}>` }),
      // the same new sender twice, no keys: one contact, two threads
      await stored({ from: twice, subject: 'One' }),
      await stored({ from: twice, subject: 'Two' }),
    ];

    const results = await processor.processMany(ids);
    const [first, reply, r1, r2, one, two] = ids.map((id) => processed(results.get(id)));
    expect(reply!.threadId).toBe(first!.threadId);
    expect(reply!.decision.rule).toBe('references');
    expect(r1!.threadId).toBe(earlier.threadId);
    expect(r2!.threadId).toBe(earlier.threadId);
    expect(one!.threadId).not.toBe(two!.threadId);
    const [{ version, n }] = await h.ds.query(
      `SELECT t.version, (SELECT count(*)::int FROM messages m WHERE m.thread_id = t.id AND m.direction = 'inbound') AS n FROM threads t WHERE t.id = $1`,
      [earlier.threadId],
    );
    expect(n).toBe(3);
    expect(version).toBeGreaterThanOrEqual(3);
    const contacts = await h.ds.query(`SELECT DISTINCT contact_id FROM messages WHERE inbound_event_id = ANY($1)`, [[ids[4], ids[5]]]);
    expect(contacts).toHaveLength(1);
  });

  /** A mail with a small attachment: it is never committed with a batch, it runs alone after it. */
  function withAttachment(from: string, messageId: string): Buffer {
    return Buffer.from(
      [
        `From: ${from}`,
        `To: ${address}`,
        'Subject: The invoice',
        `Message-ID: <${messageId}>`,
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The invoice is attached.',
        '--b1',
        'Content-Type: application/pdf; name="invoice.pdf"',
        'Content-Disposition: attachment; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('%PDF-1.4 not really').toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
    );
  }

  it('threads a reply after the mail it answers when that mail runs alone in the same batch', async () => {
    const customer = `alone-${uid()}@example.com`;
    const parentId = `invoice-${uid()}@example.com`;
    const ids = [
      await storedRaw(withAttachment(customer, parentId)),
      await stored({ from: customer, subject: 'Re: The invoice', inReplyTo: parentId, references: `<${parentId}>` }),
    ];
    const results = await processor.processMany(ids);
    const [parent, reply] = ids.map((id) => processed(results.get(id)));
    expect(reply!.threadId).toBe(parent!.threadId);
    expect(reply!.decision.rule).toBe('references');
    expect(reply!.isNewThread).toBe(false);
  });

  it('makes a reply wait while the mail it answers is processed elsewhere, then threads it there', async () => {
    const customer = `wait-${uid()}@example.com`;
    const parentId = `first-${uid()}@example.com`;
    const parentEvent = await stored({ from: customer, subject: 'First', messageId: parentId });
    // another worker (or batch) has claimed the mail and not committed it yet
    await h.ds.query(`UPDATE inbound_events SET status = 'processing' WHERE id = $1`, [parentEvent]);
    const replyEvent = await stored({ from: customer, subject: 'Re: First', inReplyTo: parentId, references: `<${parentId}>` });

    const batch = (await processor.processMany([replyEvent])).get(replyEvent);
    expect(batch).toEqual({ outcome: 'waiting', parentEventId: parentEvent, reason: expect.stringContaining(`<${parentId}>`) });
    // alone (a retry) it waits too
    expect(await processor.process(replyEvent)).toMatchObject({ outcome: 'waiting', parentEventId: parentEvent });
    const [waiting] = await h.ds.query(`SELECT status, message_id FROM inbound_events WHERE id = $1`, [replyEvent]);
    expect(waiting).toEqual({ status: 'received', message_id: null });

    const parent = processed(await processor.process(parentEvent));
    const reply = processed(await processor.process(replyEvent));
    expect(reply.threadId).toBe(parent.threadId);
    expect(reply.decision).toMatchObject({ rule: 'references', detail: `joined #${(await h.ds.query(`SELECT number FROM threads WHERE id = $1`, [parent.threadId]))[0].number} by In-Reply-To <${parentId}>` });
  });

  it('does not wait for a mail that reached us after the reply, nor when told not to wait', async () => {
    const customer = `later-${uid()}@example.com`;
    const parentId = `late-${uid()}@example.com`;
    const replyEvent = await stored({ from: customer, subject: 'Re: Late', inReplyTo: parentId, references: `<${parentId}>` });
    const laterParent = await stored({ from: customer, subject: 'Late', messageId: parentId });
    await h.ds.query(`UPDATE inbound_events SET received_at = received_at + interval '1 second', status = 'processing' WHERE id = $1`, [laterParent]);
    const reply = processed((await processor.processMany([replyEvent])).get(replyEvent));
    expect(reply.isNewThread).toBe(true);
    expect(reply.decision.rule).toBe('new');

    const otherId = `stuck-${uid()}@example.com`;
    const stuck = await stored({ from: customer, subject: 'Stuck', messageId: otherId });
    await h.ds.query(`UPDATE inbound_events SET status = 'processing' WHERE id = $1`, [stuck]);
    const impatient = await stored({ from: customer, subject: 'Re: Stuck', inReplyTo: otherId });
    expect(processed(await processor.process(impatient, { waitForParent: false })).isNewThread).toBe(true);
  });

  it('of two mails of one instant naming each other, both wait at first, then only the one with the greater id: the other goes, and it joins that thread', async () => {
    const customer = `mutual-${uid()}@example.com`;
    const [idA, idB] = [`mutual-a-${uid()}@example.com`, `mutual-b-${uid()}@example.com`];
    const a = await stored({ from: customer, subject: 'Re: B', messageId: idA, inReplyTo: idB, references: `<${idB}>` });
    const b = await stored({ from: customer, subject: 'Re: A', messageId: idB, inReplyTo: idA, references: `<${idA}>` });
    // one group commit: one instant
    await h.ds.query(`UPDATE inbound_events SET received_at = (SELECT received_at FROM inbound_events WHERE id = $1) WHERE id = $2`, [a, b]);
    expect(await processor.process(a)).toMatchObject({ outcome: 'waiting', parentEventId: b });
    expect(await processor.process(b)).toMatchObject({ outcome: 'waiting', parentEventId: a });

    const [first, second] = [a, b].sort();
    expect(await processor.process(second!, { waitedBefore: true })).toMatchObject({ outcome: 'waiting', parentEventId: first });
    const opened = processed(await processor.process(first!, { waitedBefore: true }));
    expect(opened.isNewThread).toBe(true);
    const joined = processed(await processor.process(second!, { waitedBefore: true }));
    expect(joined.threadId).toBe(opened.threadId);
    expect(joined.decision.rule).toBe('references');
  });

  it('puts the ingest job of a waiting reply back to delayed, without spending an attempt, and runs it once the answered mail has its thread', async () => {
    const queue = worker.get<Queues>(QUEUES)[QueueName.Ingest];
    const customer = `job-${uid()}@example.com`;
    const parentId = `held-${uid()}@example.com`;
    const parentEvent = await stored({ from: customer, subject: 'Held', messageId: parentId });
    await h.ds.query(`UPDATE inbound_events SET status = 'processing' WHERE id = $1`, [parentEvent]);
    const raw = Buffer.from(rawMail({ to: address, from: customer, subject: 'Re: Held', inReplyTo: parentId, references: `<${parentId}>` }));
    const { eventId } = await worker.get(IngestionService).accept({ source: 'email', inboxId, idempotencyKey: emailIdempotencyKey(raw, inboxId), payload: raw, contentType: 'message/rfc822' });

    const job = await waitFor(async () => {
      const j = await queue.getJob(ingestJobId(eventId));
      return j && (await j.getState()) === 'delayed' && j.data.waits ? j : null;
    }, 'the reply job to wait');
    expect(job.attemptsMade).toBe(0);
    expect(job.data.waitingSince).toEqual(expect.any(Number));
    const [ev] = await h.ds.query(`SELECT status, message_id FROM inbound_events WHERE id = $1`, [eventId]);
    expect(ev).toEqual({ status: 'received', message_id: null });

    const parent = processed(await processor.process(parentEvent));
    const settled = await waitFor(async () => {
      const [row]: Array<{ status: string; thread_id: string | null }> = await h.ds.query(
        `SELECT e.status, m.thread_id FROM inbound_events e LEFT JOIN messages m ON m.id = e.message_id WHERE e.id = $1`,
        [eventId],
      );
      return row?.status === 'processed' ? row : null;
    }, 'the reply to be processed after its wait');
    expect(settled.thread_id).toBe(parent.threadId);
    // one attempt in all, the one that threaded it: waiting spent none (BullMQ counts it once the
    // job is completed, a moment after the row says processed)
    const done = await waitFor(async () => {
      const j = await queue.getJob(ingestJobId(eventId));
      return j && (await j.getState()) === 'completed' ? j : null;
    }, 'the reply job to complete');
    expect(done.attemptsMade).toBe(1);
  });

  it('threads a mail that reaches us after the reply to it (delayed by greylisting, say) into the reply\'s thread, and only for a participant', async () => {
    const customer = `delayed-${uid()}@example.com`;
    const colleague = `colleague-${uid()}@example.com`;
    const [first, second, third] = [`d1-${uid()}@example.com`, `d2-${uid()}@example.com`, `d3-${uid()}@example.com`];
    // the reply comes first: nothing it names is known, so it opens a thread and remembers what it answers
    const replyId = `reply-${uid()}@example.com`;
    const reply = processed(
      await processor.process(
        await stored({ from: customer, cc: colleague, subject: 'Re: Order', messageId: replyId, inReplyTo: second, references: `<${first}> <${second}>` }),
      ),
    );
    expect(reply.decision.rule).toBe('new');
    const awaited: Array<{ message_id_header: string }> = await h.ds.query(
      `SELECT message_id_header FROM mail_awaited_ids WHERE message_id = $1 ORDER BY message_id_header`,
      [reply.messageId],
    );
    expect(awaited.map((a) => a.message_id_header)).toEqual([first, second].sort());
    const [{ number }] = await h.ds.query(`SELECT number FROM threads WHERE id = $1`, [reply.threadId]);

    // the delayed mail, in a batch: it joins the reply's thread and says why
    const late = await stored({ from: customer, subject: 'Order', messageId: second });
    const joined = processed((await processor.processMany([late])).get(late));
    expect(joined.threadId).toBe(reply.threadId);
    expect(joined.decision).toMatchObject({ rule: 'references', detail: `joined #${number} by a reply to it that reached us first (<${replyId}>)` });

    // alone too, from a participant of the thread (cc'd on the reply)
    const older = processed(await processor.process(await stored({ from: colleague, subject: 'Order', messageId: first })));
    expect(older.threadId).toBe(reply.threadId);

    // a stranger's mail with an awaited id is only flagged as a possible follow-up
    await processor.process(await stored({ from: customer, subject: 'Re: Other', inReplyTo: third }));
    const stranger = processed(await processor.process(await stored({ from: `stranger-${uid()}@example.com`, subject: 'Other', messageId: third })));
    expect(stranger.isNewThread).toBe(true);
    expect(stranger.decision.possibleFollowUpOf).toEqual(expect.any(Number));
  });

  it('commits one sender\'s new mails in one statement and counts them as repeat contacts in their order', async () => {
    // REPEAT_CONTACT_THRESHOLD is 3: the sender's 3rd thread and later are flagged, as if they came one by one
    const sender = `repeat-${uid()}@example.com`;
    processed(await processor.process(await stored({ from: sender, subject: 'Before the batch' })));
    const ids = [];
    for (const subject of ['Second', 'Third', 'Fourth']) ids.push(await stored({ from: sender, subject }));

    const query = jest.spyOn(worker.get(DataSource), 'query');
    const results = await processor.processMany(ids);
    const threadInserts = query.mock.calls.filter(([sql]) => /INSERT INTO threads/.test(sql)).length;
    query.mockRestore();
    expect(threadInserts).toBe(1);

    const threads = ids.map((id) => processed(results.get(id)).threadId);
    const rows: Array<{ id: string; repeat: { count: number } | null; flagged: number }> = await h.ds.query(
      `SELECT t.id, t.flags->'repeatContact' AS repeat,
              (SELECT count(*)::int FROM audit_events a WHERE a.thread_id = t.id AND a.action = 'thread.flagged') AS flagged
         FROM threads t WHERE t.id = ANY($1)`,
      [threads],
    );
    const byThread = new Map(rows.map((r) => [r.id, r]));
    expect(threads.map((t) => byThread.get(t)?.repeat?.count ?? null)).toEqual([null, 3, 4]);
    expect(threads.map((t) => byThread.get(t)?.flagged)).toEqual([0, 1, 1]);
  });

  it('runs each mail alone when the batch statement fails, and a mail already stored becomes a duplicate', async () => {
    const secondInbox = (await h.f.inbox({ address: `second-${uid()}@desk.test` })).id;
    const shared = `shared-${uid()}@example.com`;
    const original = processed(await processor.process(await stored({ from: `a-${uid()}@example.com`, messageId: shared })));
    const ids = [
      await stored({ from: `b-${uid()}@example.com`, subject: 'fine 1' }),
      // the same mail reaching a second inbox: the unique (channel, external_id) index refuses it
      await stored({ from: `a-${uid()}@example.com`, messageId: shared }, secondInbox),
      await stored({ from: `c-${uid()}@example.com`, subject: 'fine 2' }),
    ];
    const results = await processor.processMany(ids);
    expect(processed(results.get(ids[0]!)).isNewThread).toBe(true);
    expect(results.get(ids[1]!)).toEqual({ outcome: 'duplicate', messageId: original.messageId });
    expect(processed(results.get(ids[2]!)).isNewThread).toBe(true);
    const statuses: Array<{ status: string }> = await h.ds.query(`SELECT status FROM inbound_events WHERE id = ANY($1)`, [ids]);
    expect(statuses.map((s) => s.status)).toEqual(['processed', 'processed', 'processed']);
  });
});
