import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  INGEST_HOOKS,
  QUEUES,
  QueueName,
  SlaClock,
  SlaEscalationService,
  SlaPolicy,
  notifyEmailJobId,
  type IngestHooks,
  type Queues,
} from '@desk/core';
import { Factories, createTestEnv, type TestEnv, CaptureRelay } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { NotifyEmailJob } from '../src/delivery/notify-email.job';
import { waitFor } from './support';
import { PrivateRedis } from './support/redis-server';

const sec = (s: number) => s / 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
jest.setTimeout(30_000);

describe('SLA escalation email_supervisors sends a mail over the relay (real Postgres, a private Redis)', () => {
  const redis = new PrivateRedis();
  const relay = new CaptureRelay();
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let f: Factories;
  let queues: Queues;

  beforeAll(async () => {
    await redis.start();
    await relay.start();
    env = await createTestEnv({ REDIS_URL: redis.url, SMTP_RELAY_URL: relay.url, MAIL_DOMAIN: 'desk.test', PUBLIC_URL: 'https://desk.test' });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    f = new Factories(ds);
    queues = worker.get<Queues>(QUEUES);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
    await relay.stop();
    await redis.stop();
  });

  it('after the breach the supervisors get one mail with the thread number; escalating twice sends once', async () => {
    const inbox = await f.inbox({ autoAckEnabled: false });
    await ds.getRepository(SlaPolicy).save({
      name: 'escalate-by-mail',
      position: 1,
      conditions: { inboxIds: [inbox.id] },
      firstResponseMinutes: sec(2),
      nextResponseMinutes: sec(2),
      resolutionMinutes: null,
      warningPercent: 50,
      escalation: [{ afterMinutes: 0, action: 'email_supervisors' }],
    });
    await f.agent({ role: 'supervisor' });
    await f.agent({ role: 'admin' });
    await f.agent({ role: 'supervisor', isActive: false });
    await f.agent({ role: 'agent' });
    const expected: Array<{ email: string }> = await ds.query(`SELECT email FROM agents WHERE is_active AND role IN ('supervisor', 'admin') ORDER BY email`);
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const contact = await f.contact();
    const thread = await f.thread({ inboxId: inbox.id, contactId: contact.id });
    const msg = await f.message({ threadId: thread.id, contactId: contact.id });
    await ds.query(`UPDATE threads SET last_customer_message_at = $2 WHERE id = $1`, [thread.id, msg.createdAt]);
    await worker.get<IngestHooks>(INGEST_HOOKS).afterInboundMessage({ threadId: thread.id, messageId: msg.id, isAutomatic: false, isNewThread: false });
    const [clock] = await ds.getRepository(SlaClock).find({ where: { threadId: thread.id } });
    expect(clock).toBeDefined();

    await waitFor(async () => relay.accepted.length >= 1 || null, 'the escalation mail', 20_000);
    const mail = relay.accepted[0]!;
    expect([...mail.rcptTo].sort()).toEqual(expected.map((e) => e.email).sort());
    const raw = mail.raw.toString('utf8').replace(/=\r?\n/g, ''); // undo quoted-printable soft breaks
    expect(raw).toMatch(new RegExp(`^Subject: \\[#${thread.number}\\] SLA breached: first_response`, 'm'));
    expect(raw).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(raw).toContain(`https://desk.test/threads/${thread.id}`);
    expect(mail.mailFrom).toMatch(/@/);

    // the same step again (a duplicate escalation job): no second mail
    const again = await worker.get(SlaEscalationService).escalate(clock!.id, 0);
    expect(again).toMatchObject({ outcome: 'done', action: 'email_supervisors' });
    await sleep(1500);
    expect(relay.accepted).toHaveLength(1);
    const job = await queues[QueueName.Deliver].getJob(notifyEmailJobId(clock!.id, 0));
    expect(job?.opts.attempts).toBe(5);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM audit_events WHERE thread_id = $1 AND action = 'sla.escalation.email_supervisors'`, [thread.id]))[0].n)).toBe(2);
  });

  it('without a relay the job fails with "no SMTP relay configured" (BullMQ retries it)', async () => {
    const job = new NotifyEmailJob(ds, { ...env.config, SMTP_RELAY_URL: undefined });
    await expect(job.handle({ data: { to: ['boss@desk.test'], subject: 's', text: 't' }, attemptsMade: 0, opts: { attempts: 5 } } as never)).rejects.toThrow(
      /no SMTP relay configured/,
    );
  });
});
