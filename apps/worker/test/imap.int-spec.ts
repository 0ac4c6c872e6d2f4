import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createTestEnv, Factories, type TestEnv } from '@desk/testing';
import type { Inbox } from '@desk/core';
import { createWorker } from '../src/worker.factory';
import { ImapPoller } from '../src/email/imap-poller';
import { ImapInboxRunner } from '../src/email/imap-inbox-runner';
import { appendMessages, freePort, startDovecot, testMail, type Dovecot } from './support/dovecot';

jest.setTimeout(60_000);

/**
 * The IMAP poller against a real Dovecot (started per file), real Postgres and Redis. Each test
 * uses its own mailbox of the one test user, so the tests do not see each other's mail.
 */
describe('IMAP poller (real Dovecot)', () => {
  let dovecot: Dovecot;
  let env: TestEnv;
  let app: INestApplicationContext;
  let poller: ImapPoller;
  let ds: DataSource;
  let f: Factories;

  async function boot(): Promise<void> {
    app = await createWorker(env.config, { logger: false });
    poller = app.get(ImapPoller);
    // the tests drive the pollers themselves (pollOnce, or start() where the long-running mode is tested)
    await poller.stop();
    ds = app.get(DataSource);
    f = new Factories(ds);
  }

  beforeAll(async () => {
    dovecot = await startDovecot();
    env = await createTestEnv();
    await boot();
  });

  afterAll(async () => {
    await app?.close();
    await env?.cleanup();
    await dovecot?.stop();
  });

  const imapInbox = (mailbox: string, imap: Record<string, unknown> = {}): Promise<Inbox> =>
    f.inbox({
      settings: {
        imap: { host: dovecot.host, port: dovecot.port, secure: false, user: dovecot.user, password: dovecot.password, mailbox, afterImport: 'seen', ...imap },
      },
    });

  type EventRow = { source: string; meta: { imapUid: number; uidValidity: number; mailbox: string }; payload: Buffer };
  const events = (inboxId: string): Promise<EventRow[]> =>
    ds.query(`SELECT source, meta, payload FROM inbound_events WHERE inbox_id = $1 ORDER BY received_at, (meta->>'imapUid')::int`, [inboxId]);

  const checkpoint = async (inboxId: string, mailbox: string) => {
    const rows: Array<{ uid_validity: string; last_uid: string }> = await ds.query(
      `SELECT uid_validity, last_uid FROM imap_checkpoints WHERE inbox_id = $1 AND mailbox = $2`,
      [inboxId, mailbox],
    );
    return rows[0] ? { uidValidity: Number(rows[0].uid_validity), lastUid: Number(rows[0].last_uid) } : null;
  };

  /** UID → flags of every message in the mailbox, as the server has them. */
  const serverState = async (mailbox: string): Promise<{ uidValidity: number; flags: Map<number, string[]> }> => {
    const c = await dovecot.client();
    try {
      const box = await c.mailboxOpen(mailbox, { readOnly: true });
      const flags = new Map<number, string[]>();
      if (box.exists > 0) for await (const m of c.fetch('1:*', { uid: true, flags: true })) flags.set(m.uid, [...(m.flags ?? [])]);
      return { uidValidity: Number(box.uidValidity), flags };
    } finally {
      await c.logout();
    }
  };

  async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('imports each new message once, flags it \\Seen only after the commit, and keeps its place across restarts', async () => {
    const inbox = await imapInbox('INBOX');
    const first = await appendMessages(dovecot, 'INBOX', [testMail('a1'), testMail('a2'), testMail('a3')]);
    const before = await serverState('INBOX');
    expect([...before.flags.values()].every((fl) => !fl.includes('\\Seen'))).toBe(true);

    const r1 = await poller.pollOnce(inbox.id);
    expect(r1).toMatchObject({ imported: 3, duplicates: 0, failed: [], rescanned: false, lastUid: first[2] });
    const rows = await events(inbox.id);
    expect(rows.map((e) => e.source)).toEqual(['email', 'email', 'email']);
    expect(rows.map((e) => e.meta.imapUid)).toEqual(first);
    expect(rows.every((e) => e.meta.mailbox === 'INBOX' && e.meta.uidValidity === before.uidValidity)).toBe(true);
    expect(rows[0]!.payload.toString()).toContain('Subject: Question a1');
    const after = await serverState('INBOX');
    for (const uid of first) expect(after.flags.get(uid)).toContain('\\Seen');
    expect(await checkpoint(inbox.id, 'INBOX')).toEqual({ uidValidity: before.uidValidity, lastUid: first[2] });

    const second = await appendMessages(dovecot, 'INBOX', [testMail('a4'), testMail('a5')]);
    const r2 = await poller.pollOnce(inbox.id);
    expect(r2).toMatchObject({ imported: 2, duplicates: 0, failed: [], lastUid: second[1] });
    expect((await events(inbox.id)).map((e) => e.meta.imapUid)).toEqual([...first, ...second]);

    // nothing new: the highest UID that `n:*` always returns is not read again
    expect(await poller.pollOnce(inbox.id)).toMatchObject({ imported: 0, duplicates: 0, lastUid: second[1] });

    // a restarted worker continues from the stored checkpoint
    await app.close();
    await boot();
    expect(await poller.pollOnce(inbox.id)).toMatchObject({ imported: 0, duplicates: 0, failed: [], lastUid: second[1] });
    expect(await events(inbox.id)).toHaveLength(5);
    expect(await checkpoint(inbox.id, 'INBOX')).toEqual({ uidValidity: before.uidValidity, lastUid: second[1] });
  });

  it('moves imported mail to the configured mailbox when afterImport is "move"', async () => {
    const inbox = await imapInbox('MoveSrc', { afterImport: 'move', moveTo: 'Imported' });
    const uids = await appendMessages(dovecot, 'MoveSrc', [testMail('m1'), testMail('m2')]);

    expect(await poller.pollOnce(inbox.id)).toMatchObject({ imported: 2, failed: [], lastUid: uids[1] });
    expect((await events(inbox.id)).map((e) => e.meta.imapUid)).toEqual(uids);
    expect((await serverState('MoveSrc')).flags.size).toBe(0);
    expect((await serverState('Imported')).flags.size).toBe(2);
    expect((await checkpoint(inbox.id, 'MoveSrc'))?.lastUid).toBe(uids[1]);
    expect(await poller.pollOnce(inbox.id)).toMatchObject({ imported: 0, duplicates: 0 });
  });

  it('leaves a message the database refuses unseen, with the checkpoint before it, and takes it on the next pass', async () => {
    const inbox = await imapInbox('Failing');
    const uids = await appendMessages(dovecot, 'Failing', [testMail('f1'), testMail('f2', 'X-Desk-Test: reject-me'), testMail('f3')]);
    // the real commit path fails for that one message: a trigger makes Postgres reject its insert
    await ds.query(`
      CREATE FUNCTION desk_test_reject() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF position('X-Desk-Test: reject-me' in encode(NEW.payload, 'escape')) > 0 THEN
          RAISE EXCEPTION 'rejected by test trigger';
        END IF;
        RETURN NEW;
      END $$`);
    await ds.query(`CREATE TRIGGER desk_test_reject BEFORE INSERT ON inbound_events FOR EACH ROW EXECUTE FUNCTION desk_test_reject()`);
    try {
      const r = await poller.pollOnce(inbox.id);
      expect(r.imported).toBe(2);
      expect(r.failed).toEqual([{ uid: uids[1], error: expect.stringContaining('rejected by test trigger') }]);
      expect(r.lastUid).toBe(uids[0]);
      expect((await events(inbox.id)).map((e) => e.meta.imapUid).sort()).toEqual([uids[0], uids[2]]);
      const flags = (await serverState('Failing')).flags;
      expect(flags.get(uids[0]!)).toContain('\\Seen');
      expect(flags.get(uids[1]!)).not.toContain('\\Seen');
      expect(flags.get(uids[2]!)).toContain('\\Seen');
      expect((await checkpoint(inbox.id, 'Failing'))?.lastUid).toBe(uids[0]);
    } finally {
      await ds.query(`DROP TRIGGER desk_test_reject ON inbound_events`);
      await ds.query(`DROP FUNCTION desk_test_reject()`);
    }

    // the next pass re-reads from the refused message; the one after it is a harmless repeat
    expect(await poller.pollOnce(inbox.id)).toMatchObject({ imported: 1, duplicates: 1, failed: [], lastUid: uids[2] });
    expect(await events(inbox.id)).toHaveLength(3);
    expect((await serverState('Failing')).flags.get(uids[1]!)).toContain('\\Seen');
  });

  it('re-scans a mailbox whose UIDVALIDITY changed, without duplicating what was already imported', async () => {
    const inbox = await imapInbox('Recreated');
    const a = testMail('u1');
    const b = testMail('u2');
    await appendMessages(dovecot, 'Recreated', [a, b]);
    const r1 = await poller.pollOnce(inbox.id);
    expect(r1).toMatchObject({ imported: 2, rescanned: false });

    // delete and recreate the mailbox: the server numbers it afresh under a new UIDVALIDITY
    const c = await dovecot.client();
    await c.mailboxDelete('Recreated');
    await c.logout();
    const again = await appendMessages(dovecot, 'Recreated', [a, b, testMail('u3')]);
    const { uidValidity } = await serverState('Recreated');
    expect(uidValidity).not.toBe(r1.uidValidity);

    const r2 = await poller.pollOnce(inbox.id);
    expect(r2).toMatchObject({ rescanned: true, uidValidity, imported: 1, duplicates: 2, failed: [], lastUid: again[2] });
    expect(await events(inbox.id)).toHaveLength(3);
    expect(await checkpoint(inbox.id, 'Recreated')).toEqual({ uidValidity, lastUid: again[2] });
  });

  it('long-running mode: picks up configured inboxes, is woken by IDLE for new mail, and stops cleanly', async () => {
    // pollSeconds is far beyond the test: only an IDLE push can bring the second message in time
    const inbox = await imapInbox('Live', { pollSeconds: 3600 });
    await appendMessages(dovecot, 'Live', [testMail('l1')]);

    await poller.start();
    const runner = poller.runnerOf(inbox.id);
    expect(runner).toBeDefined();
    await waitFor('the first message', () => events(inbox.id), (rows) => rows.length === 1);

    const [uid] = await appendMessages(dovecot, 'Live', [testMail('l2')]);
    const rows = await waitFor('the message announced by IDLE', () => events(inbox.id), (rows) => rows.length === 2);
    expect(rows[1]!.meta.imapUid).toBe(uid);
    await waitFor('the checkpoint', () => checkpoint(inbox.id, 'Live'), (cp) => cp?.lastUid === uid);
    expect(runner!.failures).toBe(0);

    await poller.stop();
    expect(poller.runnerOf(inbox.id)).toBeUndefined();
    // a message arriving after the stop is not fetched by anyone
    await appendMessages(dovecot, 'Live', [testMail('l3')]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await events(inbox.id)).toHaveLength(2);
  });

  it('long-running mode: polls every pollSeconds when the server has no IDLE', async () => {
    const noIdle = await startDovecot({ capabilities: 'IMAP4rev1 SASL-IR LITERAL+ ENABLE NAMESPACE UIDPLUS MOVE UNSELECT' });
    try {
      const probe = await noIdle.client();
      expect(probe.capabilities.has('IDLE')).toBe(false);
      await probe.logout();
      const inbox = await f.inbox({
        settings: {
          imap: { host: noIdle.host, port: noIdle.port, secure: false, user: noIdle.user, password: noIdle.password, mailbox: 'INBOX', pollSeconds: 1 },
        },
      });
      await poller.startInbox(inbox.id);
      await waitFor('the first pass', async () => poller.runnerOf(inbox.id)?.passes ?? 0, (n) => n >= 1);
      const [uid] = await appendMessages(noIdle, 'INBOX', [testMail('p1')]);
      const rows = await waitFor('the polled message', () => events(inbox.id), (rows) => rows.length === 1);
      expect(rows[0]!.meta.imapUid).toBe(uid);
      expect(poller.runnerOf(inbox.id)!.failures).toBe(0);
      await poller.stopInbox(inbox.id);
      expect(poller.runnerOf(inbox.id)).toBeUndefined();
    } finally {
      await noIdle.stop();
    }
  });

  it('long-running mode: a failing connection is retried with backoff, one warning per failure, until stopped', async () => {
    const warnings: string[] = [];
    const runner = new ImapInboxRunner({
      inboxId: 'no-such-inbox',
      settings: {
        host: '127.0.0.1',
        // nothing listens there: every connect is refused
        port: await freePort(),
        secure: false,
        user: dovecot.user,
        password: dovecot.password,
        mailbox: 'INBOX',
        afterImport: 'seen',
        pollSeconds: 60,
      },
      sync: () => Promise.reject(new Error('must not be reached without a connection')),
      warn: (line) => warnings.push(line),
      backoffMs: () => 50,
    });
    runner.start();
    await waitFor('three failures', async () => runner.failures, (n) => n >= 3);
    await runner.stop();
    const n = runner.failures;
    expect(warnings.length).toBe(n);
    expect(warnings[0]).toMatch(/^IMAP desk@127\.0\.0\.1:\d+\/INBOX failed \(1 in a row\), retrying in 0 s: /);
    await new Promise((r) => setTimeout(r, 200));
    expect(runner.failures).toBe(n);
  });
});
