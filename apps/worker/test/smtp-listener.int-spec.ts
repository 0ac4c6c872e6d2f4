import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { SmtpListener } from '../src/email/smtp-listener';
import { messagesByExternalId, rawMail, sendRaw, uid, waitFor } from './support';

jest.setTimeout(60_000);

describe('SMTP listener → ingest (real SMTP conversation)', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;
  let port: number;
  let address: string;

  beforeAll(async () => {
    env = await createTestEnv({ SMTP_ENABLED: 'true', SMTP_LISTEN_PORT: '0', MAX_MESSAGE_BYTES: String(64 * 1024) });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
    port = worker.get(SmtpListener).port!;
    address = `support-${uid()}@desk.test`;
    await new Factories(ds).inbox({ address: address.toUpperCase() });
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  it('answers 250 after commit and the message appears exactly once', async () => {
    const mid = `${uid()}@example.com`;
    const res = await sendRaw(port, rawMail({ messageId: mid, to: address }), { from: 'customer@example.com', to: [address] });
    expect(res).toMatchObject({ ok: true });
    expect(res.ok && res.response).toMatch(/^250 /);
    // 250 means committed: the event row exists right now
    const [ev] = await ds.query(`SELECT status, meta FROM inbound_events WHERE idempotency_key LIKE $1`, [`%:mid:${mid}`]);
    expect(ev).toBeDefined();
    expect(ev.meta).toMatchObject({ mailFrom: 'customer@example.com', rcptTo: [address] });
    await waitFor(async () => (await messagesByExternalId(ds, mid)).length > 0, 'message row');
    expect(await messagesByExternalId(ds, mid)).toHaveLength(1);
  });

  it('accepts plus-addresses of the inbox', async () => {
    const mid = `${uid()}@example.com`;
    const plus = address.replace('@', '+anything@');
    const res = await sendRaw(port, rawMail({ messageId: mid, to: plus }), { from: 'customer@example.com', to: [plus] });
    expect(res.ok).toBe(true);
    await waitFor(async () => (await messagesByExternalId(ds, mid)).length > 0, 'message row');
  });

  it('refuses an unknown recipient with 550 and stores nothing', async () => {
    const before = (await ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n;
    const res = await sendRaw(port, rawMail({ to: 'nobody@desk.test' }), { from: 'customer@example.com', to: ['nobody@desk.test'] });
    expect(res).toMatchObject({ ok: false, code: 550 });
    expect((await ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n).toBe(before);
  });

  it('refuses an oversize mail with 552 and stores nothing', async () => {
    const before = (await ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n;
    const res = await sendRaw(port, rawMail({ to: address, body: 'x'.repeat(100 * 1024) }), { from: 'customer@example.com', to: [address] });
    expect(res).toMatchObject({ ok: false, code: 552 });
    expect((await ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n).toBe(before);
  });

  it('the same mail sent twice gives one event and one message', async () => {
    const mid = `${uid()}@example.com`;
    const raw = rawMail({ messageId: mid, to: address });
    expect((await sendRaw(port, raw, { from: 'customer@example.com', to: [address] })).ok).toBe(true);
    expect((await sendRaw(port, raw, { from: 'customer@example.com', to: [address] })).ok).toBe(true);
    await waitFor(async () => (await messagesByExternalId(ds, mid)).length > 0, 'message row');
    await new Promise((r) => setTimeout(r, 300));
    expect(await messagesByExternalId(ds, mid)).toHaveLength(1);
    const events = await ds.query(`SELECT id FROM inbound_events WHERE idempotency_key LIKE $1`, [`%:mid:${mid}`]);
    expect(events).toHaveLength(1);
  });

  it('one mail to two of our inboxes: two events, one message, and both events point at it', async () => {
    const other = `sales-${uid()}@desk.test`;
    await new Factories(ds).inbox({ address: other });
    const mid = `${uid()}@example.com`;
    const res = await sendRaw(port, rawMail({ messageId: mid, to: address, cc: other }), { from: 'customer@example.com', to: [address, other] });
    expect(res.ok).toBe(true);
    const events: Array<{ status: string; message_id: string | null }> = await waitFor(async () => {
      const rows = await ds.query(`SELECT status, message_id FROM inbound_events WHERE idempotency_key LIKE $1`, [`%:mid:${mid}`]);
      return rows.length === 2 && rows.every((r: { status: string }) => r.status === 'processed') ? rows : null;
    }, 'both events processed');
    const messages = await messagesByExternalId(ds, mid);
    expect(messages).toHaveLength(1);
    expect(events.map((e) => e.message_id)).toEqual([messages[0].id, messages[0].id]);
  });

  it('a mail the parser rejects is quarantined with its reason, not dropped', async () => {
    const mid = `${uid()}@example.com`;
    const res = await sendRaw(port, rawMail({ from: null, messageId: mid, to: address }), { from: 'someone@example.com', to: [address] });
    expect(res.ok).toBe(true);
    const ev = await waitFor(async () => {
      const [e] = await ds.query(`SELECT status, error FROM inbound_events WHERE idempotency_key LIKE $1`, [`%:mid:${mid}`]);
      return e?.status === 'quarantined' ? e : null;
    }, 'quarantine');
    expect(ev.error).toMatch(/missing sender/);
    expect(await messagesByExternalId(ds, mid)).toHaveLength(0);
  });

  it('answers 451 (temporary) when the database cannot store the mail', async () => {
    // make the insert fail without stopping Postgres: a trigger that raises on this one subject
    await ds.query(`CREATE OR REPLACE FUNCTION fail_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated outage'; END $$ LANGUAGE plpgsql`);
    await ds.query(`CREATE TRIGGER fail_insert BEFORE INSERT ON inbound_events FOR EACH ROW EXECUTE FUNCTION fail_insert()`);
    try {
      const res = await sendRaw(port, rawMail({ to: address }), { from: 'customer@example.com', to: [address] });
      expect(res).toMatchObject({ ok: false, code: 451 });
    } finally {
      await ds.query(`DROP TRIGGER fail_insert ON inbound_events`);
    }
  });
});
