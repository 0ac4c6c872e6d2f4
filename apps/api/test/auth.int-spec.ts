import { startApi, type Harness } from './harness';

describe('auth and roles (real Postgres and Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi({ LOGIN_MAX_ATTEMPTS: '3', METRICS_TOKEN: 'scrape-token-0123456789' });
  });
  afterAll(() => h.close());

  it('logs in with an httpOnly SameSite cookie, serves /me, and logs out for good', async () => {
    const agent = await h.f.agent({ email: 'Ada@Desk.test' });
    const res = await h.http().post('/api/auth/login').send({ email: 'ada@desk.test', password: 'correct horse battery staple' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: agent.id, email: 'Ada@Desk.test', role: 'agent' });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/desk_session=[\w-]{40,}/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const cookie = setCookie.split(';')[0]!;

    const me = await h.http().get('/api/auth/me').set('Cookie', cookie);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(agent.id);

    expect((await h.http().post('/api/auth/logout').set('Cookie', cookie)).status).toBe(204);
    expect((await h.http().get('/api/auth/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('never stores the session token itself', async () => {
    const agent = await h.f.agent();
    const cookie = await h.login(agent);
    const token = cookie.split('=')[1]!;
    const rows: Array<{ token_hash: string }> = await h.ds.query('SELECT token_hash FROM agent_sessions WHERE agent_id = $1', [agent.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.token_hash).not.toContain(token);
    expect(rows[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers 401 with one message for a wrong password and an unknown email alike', async () => {
    const agent = await h.f.agent();
    const wrong = await h.http().post('/api/auth/login').send({ email: agent.email, password: 'nope' });
    const unknown = await h.http().post('/api/auth/login').send({ email: 'ghost@desk.test', password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
  });

  it('names the failing field of a malformed login', async () => {
    const res = await h.http().post('/api/auth/login').send({ email: 'not-an-email', password: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f: { path: string }) => f.path)).toEqual(['email']);
    expect(res.body.message).toMatch(/^email: /);
  });

  it('locks out after repeated failures with 429 and Retry-After, even for the right password', async () => {
    const agent = await h.f.agent();
    for (let i = 0; i < 3; i++) {
      expect((await h.http().post('/api/auth/login').send({ email: agent.email, password: 'bad' })).status).toBe(401);
    }
    const locked = await h.http().post('/api/auth/login').send({ email: agent.email, password: 'correct horse battery staple' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses a deactivated agent', async () => {
    const agent = await h.f.agent({ isActive: false });
    expect((await h.http().post('/api/auth/login').send({ email: agent.email, password: 'correct horse battery staple' })).status).toBe(401);
  });

  it('keeps admin-only routes from agents and supervisors (403) and lets admins in', async () => {
    const agent = await h.f.agent();
    const supervisor = await h.f.agent({ role: 'supervisor' });
    const adminAgent = await h.f.agent({ role: 'admin' });
    const body = { email: 'new@desk.test', name: 'New Agent', password: 'a long enough password' };
    for (const who of [agent, supervisor]) {
      const res = await h.http().post('/api/agents').set('Cookie', await h.login(who)).send(body);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('requires the admin role');
    }
    const ok = await h.http().post('/api/agents').set('Cookie', await h.login(adminAgent)).send(body);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ email: 'new@desk.test', role: 'agent' });
    const dup = await h.http().post('/api/agents').set('Cookie', await h.login(adminAgent)).send(body);
    expect(dup.status).toBe(409);
    const audit: unknown[] = await h.ds.query(`SELECT 1 FROM audit_events WHERE action = 'agent.created' AND actor_agent_id = $1`, [adminAgent.id]);
    expect(audit).toHaveLength(1);
  });

  it('serves /metrics to a bearer token or an admin, not to others', async () => {
    expect((await h.http().get('/metrics')).status).toBe(401);
    expect((await h.http().get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    const agent = await h.f.agent();
    expect((await h.http().get('/metrics').set('Cookie', await h.login(agent))).status).toBe(401);
    const res = await h.http().get('/metrics').set('Authorization', 'Bearer scrape-token-0123456789');
    expect(res.status).toBe(200);
    expect(res.text).toContain('desk_http_request_duration_seconds');
    expect(res.text).toContain('desk_queue_jobs{queue="ingest",state="waiting"}');
    expect(res.text).toContain('desk_sla_breaches');
  });

  it('shows the queue board to admins only', async () => {
    expect((await h.http().get('/admin/queues')).status).toBe(401);
    const agent = await h.f.agent({ role: 'supervisor' });
    expect((await h.http().get('/admin/queues').set('Cookie', await h.login(agent))).status).toBe(403);
    const adminAgent = await h.f.agent({ role: 'admin' });
    const res = await h.http().get('/admin/queues').set('Cookie', await h.login(adminAgent));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<html/i);
  });

  it('reports health of database, Redis and queues without a session', async () => {
    const res = await h.http().get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { ok: true }, redis: { ok: true } });
    expect(Object.keys(res.body.queues).sort()).toEqual(['deliver', 'ingest', 'maintenance', 'sla']);
    expect(res.headers['x-request-id']).toBeTruthy();
  });
});
