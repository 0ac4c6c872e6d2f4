import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

describe('GET /api/search', () => {
  let h: Harness;
  let cookie: string;

  beforeAll(async () => {
    h = await startApi();
    cookie = await h.login(await h.f.agent({ role: 'agent' }));
  });
  afterAll(() => h.close());

  const search = (q: string) => h.http().get('/api/search').query({ q }).set('Cookie', cookie);

  it('refuses a caller without a session', async () => {
    const res = await h.http().get('/api/search').query({ q: 'refund' });
    expect(res.status).toBe(401);
  });

  it('finds a thread by its number, with or without #', async () => {
    const t = await h.f.thread({ subject: 'Lost parcel' });
    for (const q of [`#${t.number}`, String(t.number)]) {
      const res = await search(q);
      expect(res.status).toBe(200);
      expect(res.body.threads.map((x: { id: string }) => x.id)).toEqual([t.id]);
    }
  });

  it('finds contacts by name, email and handle', async () => {
    const c = await h.f.contact({ name: 'Zebulon Quackenbush', email: 'zeb.q@example.org' });
    expect((await search('Quackenbush')).body.contacts.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect((await search('zeb.q@example')).body.contacts.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });

  it('finds messages by words, best match first, highlighted as text with «» markers', async () => {
    const t = await h.f.thread();
    const weak = await h.f.message({ threadId: t.id, bodyText: 'My kumquat order is late and nobody answers' });
    const strong = await h.f.message({ threadId: t.id, subject: 'kumquat kumquat', bodyText: 'kumquat refund please, the kumquat was rotten' });
    await h.f.message({ threadId: t.id, bodyText: 'Is 3 < 4 & "zanzibar" fine?' });
    const res = await search('kumquat');
    expect(res.status).toBe(200);
    expect(res.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([strong.id, weak.id]);
    const [first] = res.body.messages;
    expect(first.threadNumber).toBe(t.number);
    expect(first.highlight).toContain('«kumquat»');
    expect(first.rank).toBeGreaterThan(res.body.messages[1].rank);

    // the highlight is the customer's characters with «» markers: not escaped, no HTML of ours
    const other = await search('zanzibar');
    expect(other.body.messages).toHaveLength(1);
    const hl: string = other.body.messages[0].highlight;
    expect(hl).toContain('«zanzibar»"');
    expect(hl).not.toMatch(/&quot;|&amp;|<\/?(b|mark)>/);
  });

  it('uses the GIN index for the words query', async () => {
    await h.ds.query('SET enable_seqscan = off');
    const plan: { 'QUERY PLAN': string }[] = await h.ds.query(
      `EXPLAIN SELECT id FROM messages m WHERE to_tsvector('simple'::regconfig, coalesce(m.subject, '') || ' ' || m.body_text) @@ websearch_to_tsquery('simple', 'kumquat')`,
    );
    await h.ds.query('SET enable_seqscan = on');
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('messages_search_idx');
  });

  it('rejects an empty query', async () => {
    expect((await search('  ')).status).toBe(400);
  });
});
