import type { INestApplicationContext } from '@nestjs/common';
import { UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { findHeader, parseHeaderBlock, headerBlock } from '@desk/channels';
import { OutboxService, Thread, WebformService, type Viewer } from '@desk/core';
import { Factories, createTestEnv, type TestEnv, CaptureRelay } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { SmtpListener } from '../src/email/smtp-listener';
import { rawMail, sendRaw, uid, waitFor } from './support';

jest.setTimeout(60_000);

/**
 * Web form → thread → agent reply by email (through the real relay) → the customer's email answer
 * (to the SMTP listener, In-Reply-To our Message-ID) → the same thread. And the same round trip
 * for "continue by email" from an X thread.
 */
describe('web form and continue-by-email round trips', () => {
  const relay = new CaptureRelay();
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;
  let outbox: OutboxService;
  let port: number;
  let viewer: Viewer;

  beforeAll(async () => {
    await relay.start();
    env = await createTestEnv({ SMTP_RELAY_URL: relay.url, SMTP_ENABLED: 'true', SMTP_LISTEN_PORT: '0' });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
    outbox = worker.get(OutboxService);
    port = worker.get(SmtpListener).port!;
    await f.inbox({ channel: 'email', name: 'Acme Support', address: 'support@acme.test' });
    const agent = await f.agent();
    viewer = { id: agent.id, role: 'agent', teamIds: [] };
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
    await relay.stop();
  });
  beforeEach(() => relay.reset());

  const reply = async (threadId: string, extra: Record<string, unknown> = {}) => {
    const t = await ds.getRepository(Thread).findOneByOrFail({ id: threadId });
    return outbox.post(threadId, { kind: 'reply', body: 'We are on it.', seenVersion: t.version, ...extra }, viewer);
  };
  const history = (threadId: string) =>
    ds.query(`SELECT direction, channel, body_text FROM messages WHERE thread_id = $1 AND NOT is_automatic ORDER BY created_at, id`, [threadId]) as Promise<
      Array<{ direction: string; channel: string; body_text: string }>
    >;

  /** Waits for the relay to get our mail, then answers it from `customer` with In-Reply-To. */
  async function answerOurMail(customer: string, body: string, replyMessageId: string) {
    const [externalId] = (await ds.query(`SELECT external_id FROM messages WHERE id = $1`, [replyMessageId])).map((r: { external_id: string }) => r.external_id);
    // other mail may leave too (the automatic acknowledgement): pick our reply by its Message-ID
    const idOf = (raw: Buffer) => findHeader(parseHeaderBlock(headerBlock(raw)), 'message-id')!.replace(/[<>]/g, '').trim();
    const mail = await waitFor(async () => relay.accepted.find((m) => idOf(m.raw) === externalId), 'the reply at the relay');
    expect(mail.rcptTo).toEqual([customer]);
    const headers = parseHeaderBlock(headerBlock(mail.raw));
    const messageId = idOf(mail.raw);
    const replyTo = (findHeader(headers, 'reply-to') ?? 'support@acme.test').replace(/^.*</, '').replace(/>.*$/, '').trim();
    const sent = await sendRaw(port, rawMail({ from: customer, to: replyTo, inReplyTo: messageId, subject: 'Re: thanks', body }), { from: customer, to: [replyTo] });
    expect(sent.ok).toBe(true);
    return { messageId, from: findHeader(headers, 'from') };
  }

  it('web form → thread → email reply delivered → the customer answer joins the same thread', async () => {
    const form = await f.inbox({ channel: 'webform', name: 'Contact form', address: null, settings: {} });
    const forms = worker.get(WebformService);
    const customer = `form-${uid()}@example.com`;
    const result = await forms.submit(await forms.inbox(form.id), { name: 'Jane', email: customer, message: 'My parcel is late' }, { ip: '192.0.2.1', origin: null });
    expect(result).toMatchObject({ kind: 'accepted', threadNumber: expect.any(Number) });
    const thread = await ds.getRepository(Thread).findOneByOrFail({ number: (result as { threadNumber: number }).threadNumber });
    expect(thread.channel).toBe('webform');

    const sent = await reply(thread.id);
    expect(sent.channel).toBe('email');
    const ours = await answerOurMail(customer, 'Thanks, it arrived today.', sent.id);
    expect(ours.from).toContain('support@acme.test');

    await waitFor(async () => (await history(thread.id)).length === 3, 'the answer in the thread');
    expect((await history(thread.id)).map((m) => [m.direction, m.channel])).toEqual([
      ['inbound', 'webform'],
      ['outbound', 'email'],
      ['inbound', 'email'],
    ]);
  });

  it('continue by email from an X thread: only to a linked address; the answer joins the thread', async () => {
    const x = await f.inbox({ channel: 'x', name: 'Acme on X', address: null });
    const customer = `x-${uid()}@example.com`;
    const contact = await f.contact({ email: customer });
    const thread = await f.thread({ inboxId: x.id, contactId: contact.id, channel: 'x', subject: null as unknown as string });
    await f.message({ threadId: thread.id, contactId: contact.id, channel: 'x', externalId: `tweet-${uid()}`, bodyText: '@acme my order?' });

    await expect(reply(thread.id, { channel: 'email', to: ['stranger@example.com'] })).rejects.toThrow(UnprocessableEntityException);
    await expect(reply(thread.id, { channel: 'email', to: ['stranger@example.com'] })).rejects.toThrow(/^to: /);

    const sent = await reply(thread.id, { channel: 'email', to: [customer] });
    expect(sent.channel).toBe('email');
    await answerOurMail(customer, 'Order 42, thanks for the email.', sent.id);
    await waitFor(async () => (await history(thread.id)).length === 3, 'the email answer in the X thread');
    expect((await history(thread.id)).map((m) => [m.direction, m.channel])).toEqual([
      ['inbound', 'x'],
      ['outbound', 'email'],
      ['inbound', 'email'],
    ]);
  });
});
