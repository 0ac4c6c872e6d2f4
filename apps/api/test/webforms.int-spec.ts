import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

describe('public web forms', () => {
  let h: Harness;
  let inboxId: string;
  const fields = [
    { name: 'topic', label: 'Topic', type: 'select', required: true, options: ['billing', 'delivery'] },
    { name: 'order_number', label: 'Order number', type: 'text', required: false },
  ];
  const valid = (email: string) => ({ name: 'Jane Doe', email, subject: 'Late parcel', message: 'Where is my parcel?', topic: 'delivery' });
  const count = async () => (await h.ds.query(`SELECT count(*)::int AS n FROM inbound_events WHERE source = 'webform'`))[0].n as number;

  beforeAll(async () => {
    h = await startApi({ WEBFORM_RATE_PER_IP_PER_HOUR: '1000', PUBLIC_URL: 'https://desk.test' });
    inboxId = (await h.f.inbox({ channel: 'webform', name: 'Contact Acme', settings: { fields, allowedOrigins: ['https://shop.example'] } })).id;
  });
  afterAll(() => h?.close());

  it('JSON post → 201 with the thread number; the thread exists with the contact by email', async () => {
    const res = await h.http().post(`/public/forms/${inboxId}`).send({ ...valid('Jane@Example.com'), order_number: 'A-17' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ threadNumber: expect.any(Number), eventId: expect.any(String) });
    const [t] = await h.ds.query(
      `SELECT t.channel, t.inbox_id, t.subject, c.primary_email, ci.normalized_value, m.body_text, m.channel AS mchannel
         FROM threads t JOIN contacts c ON c.id = t.contact_id JOIN contact_identities ci ON ci.contact_id = c.id
         JOIN messages m ON m.thread_id = t.id WHERE t.number = $1`,
      [res.body.threadNumber],
    );
    expect(t).toMatchObject({ channel: 'webform', inbox_id: inboxId, subject: 'Late parcel', normalized_value: 'jane@example.com', body_text: 'Where is my parcel?', mchannel: 'webform' });
    const [ev] = await h.ds.query(`SELECT status FROM inbound_events WHERE id = $1`, [res.body.eventId]);
    expect(ev.status).toBe('processed');
  });

  it('urlencoded post → the thanks page with the number', async () => {
    const res = await h
      .http()
      .post(`/public/forms/${inboxId}`)
      .type('form')
      .send(new URLSearchParams({ ...valid('form@example.com') }).toString());
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const n = /<strong>#(\d+)<\/strong>/.exec(res.text)?.[1];
    expect(n).toBeDefined();
    const [t] = await h.ds.query(`SELECT c.primary_email FROM threads t JOIN contacts c ON c.id = t.contact_id WHERE t.number = $1`, [Number(n)]);
    expect(t.primary_email).toBe('form@example.com');
  });

  it('400 naming the field (JSON), the form page again with errors (HTML); nothing stored', async () => {
    const before = await count();
    const res = await h.http().post(`/public/forms/${inboxId}`).send({ ...valid('x@example.com'), email: 'nope', topic: 'refunds' });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { path: string }) => f.path)).toEqual(['email', 'topic']);
    expect(res.body.message).toContain('email: Email address must be a valid email address');
    expect(res.body.errors[0]).toEqual({ field: 'email', message: 'Email address must be a valid email address' });
    const page = await h.http().post(`/public/forms/${inboxId}`).type('form').send('name=%3Cb%3EJane&email=&message=hi&topic=billing');
    expect(page.status).toBe(400);
    expect(page.text).toContain('<li><a href="#field-email">Email address is required</a></li>');
    expect(page.text).toContain('value="&lt;b&gt;Jane"');
    expect(await count()).toBe(before);
  });

  it('honeypot filled → answered like an acceptance, nothing stored', async () => {
    const before = await count();
    const res = await h.http().post(`/public/forms/${inboxId}`).send({ ...valid('bot@example.com'), website: 'http://spam' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ threadNumber: null, eventId: expect.any(String) });
    expect(await count()).toBe(before);
    expect((await h.ds.query(`SELECT count(*)::int AS n FROM contacts WHERE primary_email = 'bot@example.com'`))[0].n).toBe(0);
  });

  it('per-email rate limit → 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await h.http().post(`/public/forms/${inboxId}`).send(valid('busy@example.com'))).status).toBe(201);
    const res = await h.http().post(`/public/forms/${inboxId}`).send(valid('BUSY@example.com'));
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.message).toMatch(/^email: too many/);
  });

  it('origin allow-list: a foreign Origin → 403 and nothing stored; listed and own origins pass', async () => {
    const before = await count();
    const bad = await h.http().post(`/public/forms/${inboxId}`).set('Origin', 'https://evil.example').send(valid('o1@example.com'));
    expect(bad.status).toBe(403);
    expect(await count()).toBe(before);
    const ok = await h.http().post(`/public/forms/${inboxId}`).set('Origin', 'https://shop.example').send(valid('o2@example.com'));
    expect(ok.status).toBe(201);
    expect(ok.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect((await h.http().post(`/public/forms/${inboxId}`).set('Origin', 'https://desk.test').send(valid('o3@example.com'))).status).toBe(201);
  });

  it('413 for a body over 64 KB', async () => {
    const res = await h.http().post(`/public/forms/${inboxId}`).send({ ...valid('big@example.com'), message: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
  });

  it('serves the accessible hosted page (escaped) and the embed script; 404 for a non-form inbox', async () => {
    const evil = (await h.f.inbox({ channel: 'webform', name: '<script>x</script>', settings: { fields } })).id;
    const page = await h.http().get(`/public/forms/${evil}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<label for="field-email">');
    expect(page.text).toContain('<label for="field-topic">');
    expect(page.text).not.toContain('<script>x');
    expect(page.text).toContain('&lt;script&gt;x&lt;/script&gt;');
    const js = await h.http().get(`/public/forms/${inboxId}/embed.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^application\/javascript/);
    expect(js.text).toContain(`"https://desk.test/public/forms/${inboxId}"`);
    const email = (await h.f.inbox({ channel: 'email' })).id;
    expect((await h.http().get(`/public/forms/${email}`)).status).toBe(404);
  });
});

describe('public web forms: per-IP limit', () => {
  let h: Harness;
  afterAll(() => h?.close());
  it('429 with Retry-After past WEBFORM_RATE_PER_IP_PER_HOUR', async () => {
    h = await startApi({ WEBFORM_RATE_PER_IP_PER_HOUR: '2' });
    const inboxId = (await h.f.inbox({ channel: 'webform', settings: {} })).id;
    const post = (e: string) => h.http().post(`/public/forms/${inboxId}`).send({ name: 'A', email: e, message: 'hi' });
    expect((await post('a@example.com')).status).toBe(201);
    expect((await post('b@example.com')).status).toBe(201);
    const res = await post('c@example.com');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
