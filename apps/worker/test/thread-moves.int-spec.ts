import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { signThreadToken } from '@desk/channels';
import { OutboxService, SlaPolicy, ThreadMovesService, deriveThreadSecret, type Viewer } from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { SmtpListener } from '../src/email/smtp-listener';
import { messagesByExternalId, rawMail, sendRaw, uid, waitFor, type MailOptions } from './support';

jest.setTimeout(60_000);

type Landed = { id: string; threadId: string; number: number; rule: string; detail: string };

/**
 * "Later replies follow the move": after an agent splits or merges threads, the customer's next
 * mail goes through the real pipeline (SMTP conversation → inbound event → ingest job → matcher)
 * and lands where the messages went.
 */
describe('thread moves: later replies follow the move (real SMTP → ingest)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let moves: ThreadMovesService;
  let port: number;
  let viewer: Viewer;
  let secret: string;
  const support = `support-${uid()}@desk.test`;
  const customer = `customer-${uid()}@example.com`;

  /** Sends a customer mail to the listener and waits for its message row. */
  async function mail(o: MailOptions & { messageId: string }): Promise<Landed> {
    const to = o.to ?? support;
    const res = await sendRaw(port, rawMail({ from: customer, ...o, to }), { from: customer, to: [to] });
    expect(res).toMatchObject({ ok: true });
    const [m] = await waitFor(async () => {
      const rows = await messagesByExternalId(ds, o.messageId);
      return rows.length ? rows : null;
    }, `message ${o.messageId}`);
    const [t] = await ds.query(`SELECT number FROM threads WHERE id = $1`, [m!.thread_id]);
    return { id: m!.id, threadId: m!.thread_id, number: t.number, rule: m!.metadata.threading.rule, detail: m!.metadata.threading.detail };
  }

  const runningClocks = async (threadId: string) =>
    ((await ds.query(`SELECT metric FROM sla_clocks WHERE thread_id = $1 AND status = 'running' ORDER BY metric`, [threadId])) as Array<{ metric: string }>).map((c) => c.metric);

  beforeAll(async () => {
    env = await createTestEnv({ SMTP_ENABLED: 'true', SMTP_LISTEN_PORT: '0' });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    moves = worker.get(ThreadMovesService);
    port = worker.get(SmtpListener).port!;
    secret = deriveThreadSecret(env.config.APP_SECRET);
    const f = new Factories(ds);
    const inbox = await f.inbox({ address: support });
    // a policy for this inbox only, so the SLA side of a move is visible
    await ds.getRepository(SlaPolicy).save({ name: `moves-${uid()}`, position: 1, conditions: { inboxIds: [inbox.id] }, firstResponseMinutes: 600, nextResponseMinutes: 600, resolutionMinutes: null, warningPercent: 80 });
    const agent = await f.agent();
    viewer = { id: agent.id, role: 'agent', teamIds: [] };
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  it('after a split, an answer to a moved message lands in the NEW thread; an answer to one that stayed does not', async () => {
    const printerId = `printer-${uid()}@example.com`;
    const invoiceId = `invoice-${uid()}@example.com`;
    const printer = await mail({ messageId: printerId, subject: 'Printer broken' });
    const invoice = await mail({ messageId: invoiceId, inReplyTo: printerId, subject: 'Re: Printer broken', body: 'Also: my invoice is wrong.' });
    expect(invoice.threadId).toBe(printer.threadId);

    const { newThread } = await moves.split(printer.threadId, [invoice.id], { subject: 'Invoice', reason: 'a second question' }, viewer);
    // the customer waited in the moved message: the new thread's clock started as after an ingest
    expect(await runningClocks(newThread.id)).toEqual(['first_response']);

    const followUp = await mail({ messageId: `f-${uid()}@example.com`, inReplyTo: invoiceId, references: `<${printerId}> <${invoiceId}>`, subject: 'Re: Printer broken', body: 'Any news on the invoice?' });
    expect(followUp).toMatchObject({ threadId: newThread.id, rule: 'references' });
    expect(followUp.detail).toContain(invoiceId);

    const aboutPrinter = await mail({ messageId: `p-${uid()}@example.com`, inReplyTo: printerId, subject: 'Re: Printer broken' });
    expect(aboutPrinter.threadId).toBe(printer.threadId);
  });

  it('a split that takes the only unanswered message cancels the source thread’s response clock', async () => {
    const firstId = `q-${uid()}@example.com`;
    const first = await mail({ messageId: firstId, subject: 'Login fails' });
    await waitFor(async () => (await runningClocks(first.threadId)).length > 0, 'the first clock');
    // an agent answers the first message through the outbox (the reply meets its clock)
    await worker.get(OutboxService).post(first.threadId, { kind: 'reply', body: 'Try resetting your password.', seenVersion: 0, force: true }, viewer);
    expect(await runningClocks(first.threadId)).toEqual([]);
    const second = await mail({ messageId: `q2-${uid()}@example.com`, inReplyTo: firstId, subject: 'Re: Login fails', body: 'And the export is empty.' });
    // the post-ingest hook starts it just after the message commits
    await waitFor(async () => ((await runningClocks(first.threadId)).includes('next_response') ? true : null), 'the next-response clock');
    expect(await runningClocks(first.threadId)).toEqual(['next_response']);

    const { newThread } = await moves.split(first.threadId, [second.id], { reason: 'another question' }, viewer);
    expect(await runningClocks(first.threadId)).toEqual([]);
    const [stopped] = await ds.query(`SELECT status FROM sla_clocks WHERE thread_id = $1 AND metric = 'next_response'`, [first.threadId]);
    expect(stopped.status).toBe('cancelled');
    expect(await runningClocks(newThread.id)).toEqual(['first_response']);
  });

  it('an unanswered message merged into a resolved thread reopens it with a running clock', async () => {
    const done = await mail({ messageId: `d-${uid()}@example.com`, subject: 'Old question' });
    await ds.query(`UPDATE threads SET status = 'resolved', resolved_at = now() WHERE id = $1`, [done.threadId]);
    await ds.query(`UPDATE sla_clocks SET status = 'cancelled' WHERE thread_id = $1`, [done.threadId]);
    const fresh = await mail({ messageId: `n-${uid()}@example.com`, subject: 'Same thing again' });
    await waitFor(async () => (await runningClocks(fresh.threadId)).length > 0, 'the new thread clock');

    const result = await moves.merge(fresh.threadId, done.threadId, { reason: 'same question' }, viewer);
    expect(result.targetThread.status).toBe('open');
    expect(await runningClocks(done.threadId)).toEqual(['first_response']);
    // the merged-away thread's clock is cancelled, not counted as met
    const statuses = (await ds.query(`SELECT status FROM sla_clocks WHERE thread_id = $1`, [fresh.threadId])) as Array<{ status: string }>;
    expect(statuses.map((c) => c.status)).toEqual(['cancelled']);
  });

  describe('after a merge', () => {
    let source: Landed;
    let target: Landed;
    const sourceMailId = `src-${uid()}@example.com`;

    beforeAll(async () => {
      source = await mail({ messageId: sourceMailId, subject: 'Order 77 missing' });
      target = await mail({ messageId: `tgt-${uid()}@example.com`, subject: 'Where is my parcel?' });
      expect(source.threadId).not.toBe(target.threadId);
      await waitFor(async () => (await runningClocks(source.threadId)).length > 0, 'the source thread clock');
      const result = await moves.merge(source.threadId, target.threadId, { reason: 'same parcel' }, viewer);
      expect(result.sourceThread).toMatchObject({ status: 'resolved', mergedIntoThreadId: target.threadId, mergedIntoThreadNumber: target.number });
    });

    it('stopped the source thread’s clocks (cancelled, not met)', async () => {
      expect(await runningClocks(source.threadId)).toEqual([]);
      const statuses = (await ds.query(`SELECT DISTINCT status FROM sla_clocks WHERE thread_id = $1`, [source.threadId])) as Array<{ status: string }>;
      expect(statuses.map((c) => c.status)).toEqual(['cancelled']);
    });

    it('a reply with In-Reply-To of a source-thread message lands in the target', async () => {
      const r = await mail({ messageId: `r1-${uid()}@example.com`, inReplyTo: sourceMailId, subject: 'Re: Order 77 missing' });
      expect(r).toMatchObject({ threadId: target.threadId, rule: 'references' });
    });

    it('a reply with only the source’s [#N] subject number lands in the target, and says it followed the merge', async () => {
      const r = await mail({ messageId: `r2-${uid()}@example.com`, subject: `Re: Order 77 missing [#${source.number}]` });
      expect(r).toMatchObject({ threadId: target.threadId, rule: 'subject' });
      expect(r.detail).toBe(`joined #${target.number} by subject tag [#${source.number}] (merged from #${source.number})`);
      // the merged-away thread stays resolved: nothing reopened it
      expect((await ds.query(`SELECT status FROM threads WHERE id = $1`, [source.threadId]))[0].status).toBe('resolved');
    });

    it('a reply to the source’s signed reply address lands in the target', async () => {
      const to = support.replace('@', `+${signThreadToken(source.number, secret)}@`);
      const r = await mail({ messageId: `r3-${uid()}@example.com`, to, subject: 'no headers at all' });
      expect(r).toMatchObject({ threadId: target.threadId, rule: 'token' });
      expect(r.detail).toMatch(new RegExp(`^joined #${target.number} by signed reply-address token .* \\(merged from #${source.number}\\)$`));
    });
  });
});
