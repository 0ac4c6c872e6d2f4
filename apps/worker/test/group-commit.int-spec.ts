import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { emailIdempotencyKey } from '@desk/channels';
import { IngestionService, type AcceptInput } from '@desk/core';
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { rawMail, settledEvent, uid } from './support';

jest.setTimeout(60_000);

/** Events accepted at the same moment are written together; each caller still gets its own answer. */
describe('ingestion group commit', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let inboxId: string;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    inboxId = (await h.f.inbox({ address: `support-${uid()}@desk.test` })).id;
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  const mail = (messageId: string): AcceptInput => {
    const payload = Buffer.from(rawMail({ messageId, subject: `group ${messageId}` }));
    return { source: 'email', inboxId, idempotencyKey: emailIdempotencyKey(payload, inboxId), payload, contentType: 'message/rfc822' };
  };

  it('answers each of many concurrent accepts with its own event, finds duplicates in and across groups, and processes every one', async () => {
    const ingestion = worker.get(IngestionService);
    const earlierInput = mail(`earlier-${uid()}@example.com`);
    const earlier = await ingestion.accept(earlierInput);
    const ids = Array.from({ length: 40 }, () => `${uid()}@example.com`);
    const inputs = ids.map(mail);
    // a key twice in the same group, and one stored by an earlier group
    const twice = mail(ids[3]!);
    const again = { ...earlierInput };
    const query = jest.spyOn(worker.get(DataSource), 'query');
    const results = await Promise.all([...inputs, twice, again].map((i) => ingestion.accept(i)));
    // accepted in one turn of the event loop: written by ONE insert
    expect(query.mock.calls.filter(([sql]) => /INSERT INTO inbound_events/.test(sql)).length).toBe(1);
    query.mockRestore();

    const fresh = results.slice(0, 40);
    expect(fresh.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(fresh.map((r) => r.eventId)).size).toBe(40);
    expect(results[40]).toEqual({ eventId: fresh[3]!.eventId, duplicate: true });
    expect(results[41]).toEqual({ eventId: earlier.eventId, duplicate: true });
    // every answer names the row holding that caller's own payload
    const rows: Array<{ id: string; idempotency_key: string }> = await h.ds.query(
      `SELECT id, idempotency_key FROM inbound_events WHERE id = ANY($1)`,
      [fresh.map((r) => r.eventId)],
    );
    const keyOf = new Map(rows.map((r) => [r.id, r.idempotency_key]));
    fresh.forEach((r, i) => expect(keyOf.get(r.eventId)).toBe(inputs[i]!.idempotencyKey));
    // and each was enqueued: all become messages
    for (const r of fresh) expect((await settledEvent(h.ds, r.eventId)).status).toBe('processed');
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE inbound_event_id = ANY($1)`, [fresh.map((r) => r.eventId)]);
    expect(n).toBe(40);
  });

  it('refuses only the event that cannot be stored; the others of its group are accepted', async () => {
    const ingestion = worker.get(IngestionService);
    const good = [mail(`${uid()}@example.com`), mail(`${uid()}@example.com`)];
    const bad: AcceptInput = { ...mail(`${uid()}@example.com`), inboxId: 'not-a-uuid' };
    const settled = await Promise.allSettled([good[0]!, bad, good[1]!].map((i) => ingestion.accept(i)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    for (const s of [settled[0], settled[2]]) {
      const { eventId } = (s as PromiseFulfilledResult<{ eventId: string }>).value;
      expect((await settledEvent(h.ds, eventId)).status).toBe('processed');
    }
    const [{ n }] = await h.ds.query(`SELECT count(*)::int AS n FROM inbound_events WHERE idempotency_key = $1`, [bad.idempotencyKey]);
    expect(n).toBe(0);
  });
});
