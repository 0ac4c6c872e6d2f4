import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AttachmentsService, Thread, type Agent } from '@desk/core';
import { startApi, type Harness } from './harness';

const MAX = 2048;

describe('attachments: upload, claim by a reply or note, download (real Postgres, Redis and file store)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi({ MAX_ATTACHMENT_BYTES: String(MAX) });
  });
  afterAll(() => h.close());

  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const storeRoot = () => join(h.env.config.DATA_DIR, 'attachments');
  const fileOf = (key: string) => join(storeRoot(), key);
  const versionOf = async (threadId: string) => (await h.ds.getRepository(Thread).findOneByOrFail({ id: threadId })).version;
  const row = async (id: string) => (await h.ds.query(`SELECT message_id, uploaded_by_agent_id, storage_key, size_bytes FROM attachments WHERE id = $1`, [id]))[0];

  async function upload(cookie: string, content: Buffer, filename = 'report.pdf', contentType = 'application/pdf') {
    return h.http().post('/api/attachments').set('Cookie', cookie).attach('file', content, { filename, contentType });
  }

  async function signedIn(): Promise<{ agent: Agent; cookie: string }> {
    const agent = await h.f.agent();
    return { agent, cookie: await h.login(agent) };
  }

  /** Reads the response body as bytes whatever its content type. */
  const asBuffer = (res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  };

  it('uploads a file, a reply carries it, the message lists it and any agent can then download it', async () => {
    const { agent, cookie } = await signedIn();
    const other = await signedIn();
    const thread = await h.f.thread();
    const bytes = Buffer.from('%PDF-1.4 pretend this is a quarterly report\n'.repeat(20));

    const up = await upload(cookie, bytes);
    expect(up.status).toBe(201);
    expect(up.body).toEqual({ id: expect.any(String), filename: 'report.pdf', contentType: 'application/pdf', sizeBytes: bytes.length });
    const stored = await row(up.body.id);
    expect(stored).toMatchObject({ message_id: null, uploaded_by_agent_id: agent.id });
    expect(stored.storage_key).toBe(`sha256/${sha(bytes).slice(0, 2)}/${sha(bytes).slice(2, 4)}/${sha(bytes)}`);
    expect(existsSync(fileOf(stored.storage_key))).toBe(true);
    const audit = await h.ds.query(`SELECT actor_agent_id, data FROM audit_events WHERE action = 'attachment.uploaded' AND data->>'attachmentId' = $1`, [up.body.id]);
    expect(audit).toEqual([{ actor_agent_id: agent.id, data: expect.objectContaining({ filename: 'report.pdf' }) }]);

    // a draft's file is its uploader's only
    expect((await h.http().get(`/api/attachments/${up.body.id}`).set('Cookie', other.cookie)).status).toBe(404);
    const own = await h.http().get(`/api/attachments/${up.body.id}`).set('Cookie', cookie).buffer(true).parse(asBuffer);
    expect(own.status).toBe(200);
    expect(sha(own.body as Buffer)).toBe(sha(bytes));

    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'The report is attached.', seenVersion: await versionOf(thread.id), attachmentIds: [up.body.id] });
    expect(res.status).toBe(201);
    expect(res.body.attachments).toEqual([{ id: up.body.id, filename: 'report.pdf', contentType: 'application/pdf', sizeBytes: bytes.length, inline: false }]);
    expect((await row(up.body.id)).message_id).toBe(res.body.id);
    const [sent] = await h.ds.query(`SELECT data FROM audit_events WHERE action = 'message.sent' AND data->>'messageId' = $1`, [res.body.id]);
    expect(sent.data.attachmentIds).toEqual([up.body.id]);

    // on the thread's message list too
    const list = await h.http().get(`/api/threads/${thread.id}/messages`).set('Cookie', other.cookie);
    expect(list.body.items.find((m: { id: string }) => m.id === res.body.id).attachments).toHaveLength(1);

    const dl = await h.http().get(`/api/attachments/${up.body.id}`).set('Cookie', other.cookie).buffer(true).parse(asBuffer);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(dl.headers['content-disposition']).toBe('attachment; filename="report.pdf"');
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(sha(dl.body as Buffer)).toBe(sha(bytes));

    // claimed once: a second message cannot take it again
    const again = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'Again', seenVersion: await versionOf(thread.id), attachmentIds: [up.body.id] });
    expect(again.status).toBe(400);
    expect(again.body.fields).toEqual([{ path: 'attachmentIds', message: expect.any(String) }]);
  });

  it('keeps a UTF-8 filename, drops any path and keeps only a well-formed type', async () => {
    const { cookie } = await signedIn();
    const up = await upload(cookie, Buffer.from('a,b\n1,2\n'), 'Rechnung März 5€.csv', 'text/csv');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ filename: 'Rechnung März 5€.csv', contentType: 'text/csv' });
    const dl = await h.http().get(`/api/attachments/${up.body.id}`).set('Cookie', cookie);
    expect(dl.headers['content-disposition']).toContain(`filename*=UTF-8''Rechnung%20M%C3%A4rz%205%E2%82%AC.csv`);

    // no path survives; a type busboy cannot read becomes its default, never the raw header
    const odd = await upload(cookie, Buffer.from('<html>'), '../../etc/page.html', 'text html');
    expect(odd.status).toBe(201);
    expect(odd.body).toMatchObject({ filename: 'page.html', contentType: 'text/plain' });
  });

  it('refuses a file over MAX_ATTACHMENT_BYTES with 413 naming file, keeping nothing; exactly the limit passes', async () => {
    const { agent, cookie } = await signedIn();
    const tooBig = Buffer.alloc(MAX * 4, 7);
    const res = await upload(cookie, tooBig, 'big.bin', 'application/octet-stream');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, fields: [{ path: 'file', message: expect.stringContaining(String(MAX)) }] });
    expect(res.body.message).toMatch(/^file: /);

    const oneOver = await upload(cookie, Buffer.alloc(MAX + 1, 8), 'over.bin', 'application/octet-stream');
    expect(oneOver.status).toBe(413);
    expect(oneOver.body.fields[0].path).toBe('file');

    expect(await h.ds.query(`SELECT 1 FROM attachments WHERE uploaded_by_agent_id = $1`, [agent.id])).toHaveLength(0);
    for (const b of [tooBig, Buffer.alloc(MAX + 1, 8)]) expect(existsSync(fileOf(`sha256/${sha(b).slice(0, 2)}/${sha(b).slice(2, 4)}/${sha(b)}`))).toBe(false);
    const tmp = join(storeRoot(), 'tmp');
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);

    const exact = await upload(cookie, Buffer.alloc(MAX, 9), 'exact.bin', 'application/octet-stream');
    expect(exact.status).toBe(201);
    expect(exact.body.sizeBytes).toBe(MAX);
  });

  it('answers 400 naming file when no file is sent', async () => {
    const { cookie } = await signedIn();
    const none = await h.http().post('/api/attachments').set('Cookie', cookie).field('note', 'no file here');
    expect(none.status).toBe(400);
    expect(none.body.fields).toEqual([{ path: 'file', message: expect.any(String) }]);
    const wrongField = await h.http().post('/api/attachments').set('Cookie', cookie).attach('upload', Buffer.from('x'), 'x.txt');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.fields).toEqual([{ path: 'file', message: expect.stringContaining('"file"') }]);
  });

  it("refuses to claim someone else's upload with 400 naming attachmentIds, and writes no message", async () => {
    const alice = await signedIn();
    const bob = await signedIn();
    const thread = await h.f.thread();
    const up = await upload(alice.cookie, Buffer.from('alice only'), 'alice.txt', 'text/plain');
    const before = await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1`, [thread.id]);

    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', bob.cookie)
      .send({ kind: 'reply', body: 'Taking it', seenVersion: await versionOf(thread.id), attachmentIds: [up.body.id] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, fields: [{ path: 'attachmentIds', message: expect.any(String) }] });
    expect(res.body.message).toMatch(/^attachmentIds: /);
    expect(await h.ds.query(`SELECT count(*)::int AS n FROM messages WHERE thread_id = $1`, [thread.id])).toEqual(before);
    expect((await row(up.body.id)).message_id).toBeNull();

    // an unknown id, and one of one's own with it: all or nothing
    const mine = await upload(bob.cookie, Buffer.from('bob file'), 'bob.txt', 'text/plain');
    const mixed = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', bob.cookie)
      .send({ kind: 'note', body: 'two files', seenVersion: 0, attachmentIds: [mine.body.id, '00000000-0000-4000-8000-000000000000'] });
    expect(mixed.status).toBe(400);
    expect((await row(mine.body.id)).message_id).toBeNull();
  });

  it('refuses attachments on an X reply (400 naming attachmentIds) but a note on the same thread carries them', async () => {
    const { cookie } = await signedIn();
    const inbox = await h.f.inbox({ channel: 'x', address: null });
    const thread = await h.f.thread({ inboxId: inbox.id, channel: 'x' });
    const up = await upload(cookie, Buffer.from('screenshot bytes'), 'shot.png', 'image/png');

    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'see attached', seenVersion: await versionOf(thread.id), attachmentIds: [up.body.id] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: 'attachmentIds: X replies cannot carry attachments', fields: [{ path: 'attachmentIds', message: 'X replies cannot carry attachments' }] });
    expect((await row(up.body.id)).message_id).toBeNull();

    const note = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'note', body: 'screenshot for the team', seenVersion: 0, attachmentIds: [up.body.id] });
    expect(note.status).toBe(201);
    expect(note.body.attachments).toEqual([expect.objectContaining({ id: up.body.id, filename: 'shot.png' })]);
  });

  it('refuses more than 25 MiB in one message and more than 20 files', async () => {
    const { agent, cookie } = await signedIn();
    const thread = await h.f.thread();
    const up = await upload(cookie, Buffer.from('small'), 'a.txt', 'text/plain');
    // a second upload row as the api would write it, only larger than this test's limit allows uploading
    const [big] = await h.ds.query(
      `INSERT INTO attachments (message_id, uploaded_by_agent_id, filename, content_type, size_bytes, storage_key, sha256)
       SELECT NULL, uploaded_by_agent_id, 'huge.bin', 'application/octet-stream', 25 * 1024 * 1024, storage_key, sha256 FROM attachments WHERE id = $1 RETURNING id`,
      [up.body.id],
    );
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'two files', seenVersion: await versionOf(thread.id), attachmentIds: [up.body.id, big.id] });
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual([{ path: 'attachmentIds', message: expect.stringContaining('at most 26214400') }]);
    expect(await h.ds.query(`SELECT message_id FROM attachments WHERE uploaded_by_agent_id = $1 AND message_id IS NOT NULL`, [agent.id])).toHaveLength(0);

    const many = Array.from({ length: 21 }, () => up.body.id as string);
    const tooMany = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'reply', body: 'many', seenVersion: await versionOf(thread.id), attachmentIds: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.fields[0].path).toBe('attachmentIds');
  });

  it('answers 401 without a session, for upload and download', async () => {
    const up = await h.http().post('/api/attachments').attach('file', Buffer.from('x'), 'x.txt');
    expect(up.status).toBe(401);
    const dl = await h.http().get('/api/attachments/00000000-0000-4000-8000-000000000000');
    expect(dl.status).toBe(401);
  });

  it('sweeps uploads unclaimed for a day, removing a file only when no other row uses its bytes', async () => {
    const { cookie } = await signedIn();
    const thread = await h.f.thread();
    const shared = Buffer.from('the same bytes twice');
    const alone = Buffer.from('abandoned draft file');
    const a = await upload(cookie, shared, 'one.txt', 'text/plain');
    const b = await upload(cookie, shared, 'two.txt', 'text/plain');
    const c = await upload(cookie, alone, 'three.txt', 'text/plain');
    const res = await h
      .http()
      .post(`/api/threads/${thread.id}/messages`)
      .set('Cookie', cookie)
      .send({ kind: 'note', body: 'keeps one', seenVersion: 0, attachmentIds: [a.body.id] });
    expect(res.status).toBe(201);
    const sharedKey = (await row(a.body.id)).storage_key;
    const aloneKey = (await row(c.body.id)).storage_key;

    const service = h.app.get(AttachmentsService);
    // young uploads stay
    expect(await service.deleteUnclaimed(new Date())).toMatchObject({ deleted: 0 });
    const result = await service.deleteUnclaimed(new Date(Date.now() + 25 * 60 * 60_000));
    expect(result.deleted).toBeGreaterThanOrEqual(2);
    expect(await row(b.body.id)).toBeUndefined();
    expect(await row(c.body.id)).toBeUndefined();
    expect(await row(a.body.id)).toMatchObject({ message_id: res.body.id });
    expect(existsSync(fileOf(sharedKey))).toBe(true);
    expect(existsSync(fileOf(aloneKey))).toBe(false);
  });
});
