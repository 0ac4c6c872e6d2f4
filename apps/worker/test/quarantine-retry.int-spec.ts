import type { INestApplicationContext } from '@nestjs/common';
import { emailIdempotencyKey } from '@desk/channels';
import { IngestionService } from '@desk/core';
// the real api, booted on the same test env as the worker below
import { startApi, type Harness } from '../../api/test/harness';
import { createWorker } from '../src/worker.factory';
import { rawMail, settledEvent, uid, waitFor } from './support';

jest.setTimeout(60_000);

describe('quarantine: list, inspect and retry through the api', () => {
  let h: Harness;
  let worker: INestApplicationContext;
  let admin: string;
  let agent: string;
  let inboxId: string;

  beforeAll(async () => {
    h = await startApi();
    worker = await createWorker(h.env.config, { logger: false });
    admin = await h.login(await h.f.agent({ role: 'admin' }));
    agent = await h.login(await h.f.agent({ role: 'agent' }));
    inboxId = (await h.f.inbox({ address: `support-${uid()}@desk.test` })).id;
  });
  afterAll(async () => {
    await worker?.close();
    await h?.close();
  });

  async function accept(raw: string) {
    const buf = Buffer.from(raw);
    return worker.get(IngestionService).accept({ source: 'email', inboxId, idempotencyKey: emailIdempotencyKey(buf, inboxId), payload: buf, contentType: 'message/rfc822' });
  }

  it('a quarantined event is listed, inspectable, and a retry does not lose it', async () => {
    const { eventId } = await accept(rawMail({ from: null, subject: 'nobody sent this' }));
    expect((await settledEvent(h.ds, eventId)).status).toBe('quarantined');
    const ok = await accept(rawMail({}));
    expect((await settledEvent(h.ds, ok.eventId)).status).toBe('processed');

    const list = await h.http().get('/api/inbound-events?status=quarantined').set('Cookie', admin);
    expect(list.status).toBe(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).toEqual([eventId]);
    expect(list.body.items[0]).toMatchObject({ status: 'quarantined', error: 'missing sender', attempts: 1 });
    expect(list.body.items[0].payloadText).toBeUndefined();

    const detail = await h.http().get(`/api/inbound-events/${eventId}`).set('Cookie', admin);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: eventId, error: 'missing sender', contentType: 'message/rfc822', payloadTruncated: false });
    expect(detail.body.payloadText).toContain('Subject: nobody sent this');
    expect(detail.body.payloadBytes).toBeGreaterThan(0);

    const retry = await h.http().post(`/api/inbound-events/${eventId}/retry`).set('Cookie', admin);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ id: eventId, status: 'received', enqueued: true });
    // processed again (attempts 2) and, since nothing was fixed, quarantined again: still there
    const again = await waitFor(async () => {
      const [e] = await h.ds.query(`SELECT status, attempts, error FROM inbound_events WHERE id = $1`, [eventId]);
      return e.attempts === 2 && e.status === 'quarantined' ? e : null;
    }, 'the retried event to be processed again');
    expect(again.error).toBe('missing sender');
    const [audit] = await h.ds.query(`SELECT action, actor_kind, data FROM audit_events WHERE action = 'inbound_event.retried'`);
    expect(audit).toMatchObject({ actor_kind: 'agent', data: { inboundEventId: eventId } });

    // only quarantined events can be retried; only admins may look
    expect((await h.http().post(`/api/inbound-events/${ok.eventId}/retry`).set('Cookie', admin)).status).toBe(409);
    expect((await h.http().get('/api/inbound-events').set('Cookie', agent)).status).toBe(403);
    expect((await h.http().get('/api/inbound-events')).status).toBe(401);
  });

  it('paginates newest first with a keyset cursor', async () => {
    for (let i = 0; i < 3; i++) await accept(rawMail({ from: null }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: Array<{ id: string; receivedAt: string }>; nextCursor: string | null } } = await h
        .http()
        .get(`/api/inbound-events?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .set('Cookie', admin);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((e) => e.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all: Array<{ id: string }> = await h.ds.query(`SELECT id FROM inbound_events ORDER BY received_at DESC, id DESC`);
    expect(seen).toEqual(all.map((e) => e.id));
  });
});
