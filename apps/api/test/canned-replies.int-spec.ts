import { startApi, type Harness } from './harness';

describe('canned replies: /api/canned-replies (real Postgres and Redis)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi();
  });
  afterAll(() => h.close());

  const audited = async (action: string, id: string) =>
    (await h.ds.query(`SELECT actor_agent_id FROM audit_events WHERE action = $1 AND data->>'cannedReplyId' = $2`, [action, id])) as Array<{ actor_agent_id: string }>;

  it('lists global, the agent\'s teams\' and the agent\'s own replies, and filters by q', async () => {
    const support = await h.f.team();
    const sales = await h.f.team();
    const agent = await h.f.agent({ teams: [support] });
    const other = await h.f.agent({ teams: [sales] });
    const supervisor = await h.f.agent({ role: 'supervisor' });
    const [ca, co, cs] = [await h.login(agent), await h.login(other), await h.login(supervisor)];

    const post = (cookie: string, body: object) => h.http().post('/api/canned-replies').set('Cookie', cookie).send(body);
    const global = await post(cs, { title: 'Greeting', body: 'Hi {{contact.firstName | there}}', scope: 'global', shortcut: '/Hello' });
    expect(global.status).toBe(201);
    expect(global.body).toMatchObject({ scope: 'global', shortcut: 'hello', ownerAgentId: null, teamId: null });
    const teamReply = await post(cs, { title: 'Support macro', body: 'Support says hi', scope: 'team', teamId: support.id });
    expect(teamReply.status).toBe(201);
    const salesReply = await post(cs, { title: 'Sales macro', body: 'Sales says hi', scope: 'team', teamId: sales.id });
    const mine = await post(ca, { title: 'My refund text', body: 'Refund is on its way' });
    expect(mine.status).toBe(201);
    expect(mine.body).toMatchObject({ scope: 'personal', ownerAgentId: agent.id });
    const theirs = await post(co, { title: 'Their note', body: 'private' });

    const list = await h.http().get('/api/canned-replies').set('Cookie', ca);
    expect(list.status).toBe(200);
    const ids = (list.body as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([global.body.id, teamReply.body.id, mine.body.id]));
    expect(ids).not.toContain(salesReply.body.id);
    expect(ids).not.toContain(theirs.body.id);

    const found = await h.http().get('/api/canned-replies').query({ q: 'refund' }).set('Cookie', ca);
    expect((found.body as Array<{ id: string }>).map((r) => r.id)).toEqual([mine.body.id]);

    expect(await audited('canned_reply.created', global.body.id)).toEqual([{ actor_agent_id: supervisor.id }]);
    expect(await audited('canned_reply.created', mine.body.id)).toEqual([{ actor_agent_id: agent.id }]);
  });

  it('lets an agent manage only their own replies; team and global ones need a supervisor', async () => {
    const team = await h.f.team();
    const agent = await h.f.agent({ teams: [team] });
    const other = await h.f.agent();
    const supervisor = await h.f.agent({ role: 'supervisor' });
    const [ca, co, cs] = [await h.login(agent), await h.login(other), await h.login(supervisor)];

    expect((await h.http().post('/api/canned-replies').set('Cookie', ca).send({ title: 't', body: 'b', scope: 'global' })).status).toBe(403);
    expect((await h.http().post('/api/canned-replies').set('Cookie', ca).send({ title: 't', body: 'b', scope: 'team', teamId: team.id })).status).toBe(403);

    const mine = (await h.http().post('/api/canned-replies').set('Cookie', ca).send({ title: 'Mine', body: 'v1' })).body as { id: string };
    const patched = await h.http().patch(`/api/canned-replies/${mine.id}`).set('Cookie', ca).send({ body: 'v2', shortcut: 'mine' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ body: 'v2', shortcut: 'mine', title: 'Mine' });
    expect(await audited('canned_reply.updated', mine.id)).toHaveLength(1);
    // another agent's personal reply does not exist for them, whatever their role
    expect((await h.http().patch(`/api/canned-replies/${mine.id}`).set('Cookie', co).send({ body: 'x' })).status).toBe(404);
    expect((await h.http().delete(`/api/canned-replies/${mine.id}`).set('Cookie', cs)).status).toBe(404);

    const teamReply = (await h.http().post('/api/canned-replies').set('Cookie', cs).send({ title: 'Team', body: 'b', scope: 'team', teamId: team.id })).body as { id: string };
    expect((await h.http().patch(`/api/canned-replies/${teamReply.id}`).set('Cookie', ca).send({ body: 'x' })).status).toBe(403);
    expect((await h.http().delete(`/api/canned-replies/${teamReply.id}`).set('Cookie', ca)).status).toBe(403);
    expect((await h.http().patch(`/api/canned-replies/${teamReply.id}`).set('Cookie', cs).send({ body: 'better' })).status).toBe(200);
    expect((await h.http().delete(`/api/canned-replies/${teamReply.id}`).set('Cookie', cs)).status).toBe(204);
    expect(await h.ds.query(`SELECT 1 FROM canned_replies WHERE id = $1`, [teamReply.id])).toHaveLength(0);
    expect(await audited('canned_reply.deleted', teamReply.id)).toEqual([{ actor_agent_id: supervisor.id }]);

    expect((await h.http().delete(`/api/canned-replies/${mine.id}`).set('Cookie', ca)).status).toBe(204);
  });

  it('answers 409 naming shortcut when it is taken, and 400 naming each bad field', async () => {
    const agent = await h.f.agent();
    const cookie = await h.login(agent);
    const post = (body: object) => h.http().post('/api/canned-replies').set('Cookie', cookie).send(body);
    expect((await post({ title: 'A', body: 'a', shortcut: 'dup' })).status).toBe(201);
    const taken = await post({ title: 'B', body: 'b', shortcut: 'DUP' });
    expect(taken.status).toBe(409);
    expect(taken.body.message).toMatch(/^shortcut: /);
    expect(taken.body.fields).toEqual([{ path: 'shortcut', message: 'already used' }]);

    const paths = async (body: object, res?: Awaited<ReturnType<typeof post>>) => {
      const r = res ?? (await post(body));
      expect(r.status).toBe(400);
      return (r.body.fields as Array<{ path: string }>).map((f) => f.path).sort();
    };
    expect(await paths({ title: '', body: '  ' })).toEqual(['body', 'title']);
    expect(await paths({ title: 't', body: 'b', shortcut: 'has space' })).toEqual(['shortcut']);
    expect(await paths({ title: 't', body: 'b', scope: 'team' })).toEqual(['teamId']);
    expect(await paths({ title: 't', body: 'b', scope: 'everyone' })).toEqual(['scope']);
    expect(await paths({ title: 't', body: 'b', ownerAgentId: agent.id })).toEqual(['(body)']);
    const supervisor = await h.f.agent({ role: 'supervisor' });
    const unknownTeam = await h
      .http()
      .post('/api/canned-replies')
      .set('Cookie', await h.login(supervisor))
      .send({ title: 't', body: 'b', scope: 'team', teamId: '00000000-0000-4000-8000-000000000000' });
    expect(await paths({}, unknownTeam)).toEqual(['teamId']);
    const created = (await post({ title: 'C', body: 'c' })).body as { id: string };
    const empty = await h.http().patch(`/api/canned-replies/${created.id}`).set('Cookie', cookie).send({});
    expect(empty.status).toBe(400);
    expect((await h.http().get('/api/canned-replies').query({ q: 'x'.repeat(201) }).set('Cookie', cookie)).body.fields[0].path).toBe('q');
  });

  it('answers 401 without a session', async () => {
    expect((await h.http().get('/api/canned-replies')).status).toBe(401);
    expect((await h.http().post('/api/canned-replies').send({ title: 't', body: 'b' })).status).toBe(401);
    expect((await h.http().delete('/api/canned-replies/00000000-0000-4000-8000-000000000000')).status).toBe(401);
  });
});
