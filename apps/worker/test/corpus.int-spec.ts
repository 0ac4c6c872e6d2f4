import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { emailIdempotencyKey } from '@desk/channels';
import { IngestionService } from '@desk/core';
import { Factories, createTestEnv, type TestEnv } from '@desk/testing';
import { createWorker } from '../src/worker.factory';
import { rawMail, settledEvent, waitFor } from './support';

jest.setTimeout(120_000);

const CORPUS = join(__dirname, '../../../packages/channels/src/email/__fixtures__/corpus');

describe('the channels corpus through accept + the worker', () => {
  let env: TestEnv;
  let worker: INestApplicationContext;
  let ds: DataSource;

  beforeAll(async () => {
    env = await createTestEnv({ MAX_ATTACHMENT_BYTES: '2048' });
    worker = await createWorker(env.config, { logger: false });
    ds = worker.get(DataSource);
  });
  afterAll(async () => {
    await worker?.close();
    await env?.cleanup();
  });

  it('every file ends processed or quarantined with a reason; none lost; the worker still works', async () => {
    const files = readdirSync(CORPUS).filter((f) => f.endsWith('.eml')).sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    const inbox = await new Factories(ds).inbox({ address: 'support@acme.test' });
    const ingestion = worker.get(IngestionService);
    const ids = new Map<string, string>();
    for (const f of files) {
      const raw = readFileSync(join(CORPUS, f));
      const r = await ingestion.accept({ source: 'email', inboxId: inbox.id, idempotencyKey: emailIdempotencyKey(raw, inbox.id), payload: raw, contentType: 'message/rfc822' });
      expect(r.duplicate).toBe(false);
      ids.set(f, r.eventId);
    }
    expect((await ds.query(`SELECT count(*)::int AS n FROM inbound_events`))[0].n).toBe(files.length);

    const outcome: Record<string, string> = {};
    for (const [f, id] of ids) {
      const ev = await settledEvent(ds, id, 30_000);
      if (ev.status === 'quarantined') expect(ev.error).toEqual(expect.any(String));
      else expect(ev.message_id).toEqual(expect.any(String));
      outcome[f] = ev.status === 'quarantined' ? `quarantined: ${ev.error}` : 'processed';
    }
    // the ones that cannot become a message, and why; everything else is a message
    expect(Object.entries(outcome).filter(([, o]) => o !== 'processed')).toEqual([
      ['28-empty.eml', 'quarantined: empty message'],
      ['29-garbage.eml', expect.stringMatching(/^quarantined: /)],
      ['30-missing-from.eml', 'quarantined: missing sender'],
    ]);
    // inbound only: customers' mails get automatic acknowledgements (outbound messages)
    const messages = (await ds.query(`SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'`))[0].n;
    expect(messages).toBe(files.length - 3);
    // automatic mail is flagged; the over-limit attachment is listed as refused, not stored
    const [auto] = await ds.query(`SELECT is_automatic FROM messages m JOIN inbound_events e ON e.message_id = m.id WHERE e.id = $1`, [ids.get('18-auto-submitted.eml')]);
    expect(auto.is_automatic).toBe(true);
    const [big] = await ds.query(`SELECT m.metadata FROM messages m JOIN inbound_events e ON e.message_id = m.id WHERE e.id = $1`, [ids.get('17-attachment-over-limit.eml')]);
    expect(big.metadata.refusedAttachments).toHaveLength(1);
    const stored = (await ds.query(`SELECT count(*)::int AS n FROM attachments`))[0].n;
    expect(stored).toBeGreaterThan(0);

    // still alive: a plain mail goes through after the corpus
    const raw = Buffer.from(rawMail({ to: 'support@acme.test' }));
    const r = await ingestion.accept({ source: 'email', inboxId: inbox.id, idempotencyKey: emailIdempotencyKey(raw, inbox.id), payload: raw, contentType: 'message/rfc822' });
    await waitFor(async () => (await settledEvent(ds, r.eventId)).status === 'processed', 'a mail after the corpus');
  });
});
