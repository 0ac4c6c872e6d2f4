import { RealtimePublisher, Rooms, SlaPolicy, deriveSurveyKey, signSurveyToken } from '@desk/core';
import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

describe('satisfaction survey', () => {
  let h: Harness;
  let cookie: string;
  let agentId: string;

  beforeAll(async () => {
    h = await startApi({ PUBLIC_URL: 'https://desk.test' });
    const agent = await h.f.agent({ role: 'agent' });
    agentId = agent.id;
    cookie = await h.login(agent);
  });
  afterAll(() => h?.close());

  async function resolvedThread(settings: Record<string, unknown> = {}) {
    const inbox = await h.f.inbox({ channel: 'email', address: `support-${Date.now()}@acme.test`, settings });
    await h.ds.getRepository(SlaPolicy).save({ name: `survey-${inbox.id}`, position: 1, conditions: { inboxIds: [inbox.id] }, firstResponseMinutes: 60, nextResponseMinutes: 60 });
    const thread = await h.f.thread({ inboxId: inbox.id, assigneeId: agentId });
    const res = await h.http().patch(`/api/threads/${thread.id}`).set('Cookie', cookie).send({ status: 'resolved' });
    expect(res.status).toBe(200);
    return thread;
  }
  const surveyMail = async (threadId: string) =>
    (await h.ds.query(
      `SELECT m.body_text, m.subject, d.recipient, d.status FROM messages m JOIN outbound_deliveries d ON d.message_id = m.id
        WHERE m.thread_id = $1 AND m.metadata @> '{"survey": true}'`,
      [threadId],
    )) as Array<{ body_text: string; subject: string; recipient: { to: string[] }; status: string }>;
  const tokenOf = (body: string) => /https:\/\/desk\.test\/public\/survey\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(body)?.[1];

  it('resolve → survey mail with a signed link → score 1 → thread reopened, response clock running, audited', async () => {
    const thread = await resolvedThread();
    const [mail] = await surveyMail(thread.id);
    expect(mail).toBeDefined();
    expect(mail!.status).toBe('queued');
    const token = tokenOf(mail!.body_text)!;
    expect(token).toBeDefined();

    const page = await h.http().get(`/public/survey/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<label for="score-1">');
    expect(page.text).toContain('<label for="contact_me">');
    expect(page.text).toContain(`#${thread.number}`);

    const publish = jest.spyOn(h.app.get(RealtimePublisher), 'publish');
    const res = await h.http().post(`/public/survey/${token}`).type('form').send('score=1&comment=%3Cb%3Estill+broken');
    expect(res.status).toBe(201);
    expect(res.text).toContain('reopened');
    const [t] = await h.ds.query(`SELECT status, resolved_at FROM threads WHERE id = $1`, [thread.id]);
    expect(t).toEqual({ status: 'open', resolved_at: null });
    // the assignee hears of it
    const told = publish.mock.calls.find(([rooms, event]) => event === 'thread.updated' && (rooms as string[]).includes(Rooms.agent(agentId)));
    expect(told?.[2]).toMatchObject({ thread: { id: thread.id, status: 'open' } });
    publish.mockRestore();
    const clocks = await h.ds.query(`SELECT metric FROM sla_clocks WHERE thread_id = $1 AND status = 'running'`, [thread.id]);
    expect(clocks.map((c: { metric: string }) => c.metric)).toEqual(['first_response']);
    const [resp] = await h.ds.query(`SELECT score, contact_me, comment, reopened FROM satisfaction_responses WHERE thread_id = $1`, [thread.id]);
    expect(resp).toEqual({ score: 1, contact_me: false, comment: '<b>still broken', reopened: true });
    const actions = (await h.ds.query(`SELECT action, actor_kind FROM audit_events WHERE thread_id = $1 ORDER BY created_at, id`, [thread.id])).map(
      (a: { action: string; actor_kind: string }) => `${a.actor_kind}:${a.action}`,
    );
    expect(actions).toEqual(expect.arrayContaining(['system:survey.sent', 'contact:survey.answered', 'contact:thread.reopened']));
  });

  it('a good score is recorded without reopening; answering twice keeps both, the latest wins; "contact me" reopens', async () => {
    const thread = await resolvedThread();
    const token = tokenOf((await surveyMail(thread.id))[0]!.body_text)!;
    const first = await h.http().post(`/public/survey/${token}`).send({ score: 5 });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ responseId: expect.any(String), reopened: false });
    expect((await h.ds.query(`SELECT status FROM threads WHERE id = $1`, [thread.id]))[0].status).toBe('resolved');
    const second = await h.http().post(`/public/survey/${token}`).send({ score: 4, contactMe: true });
    expect(second.body.reopened).toBe(true);
    const rows = await h.ds.query(`SELECT score, contact_me FROM satisfaction_responses WHERE thread_id = $1 ORDER BY created_at DESC, id`, [thread.id]);
    expect(rows).toEqual([
      { score: 4, contact_me: true },
      { score: 5, contact_me: false },
    ]);
    expect((await h.ds.query(`SELECT status FROM threads WHERE id = $1`, [thread.id]))[0].status).toBe('open');
    expect((await h.http().post(`/public/survey/${token}`).send({ score: 9 })).status).toBe(400);
  });

  it('forged → 400, expired → 410, nothing recorded; no survey when the inbox turns it off', async () => {
    const thread = await resolvedThread();
    const token = tokenOf((await surveyMail(thread.id))[0]!.body_text)!;
    const forged = `${token.split('.')[0]}.${'A'.repeat(22)}`;
    expect((await h.http().get(`/public/survey/${forged}`)).status).toBe(400);
    expect((await h.http().post(`/public/survey/${forged}`).send({ score: 1 })).status).toBe(400);
    const expired = signSurveyToken(deriveSurveyKey(h.env.config.APP_SECRET), thread.id, new Date(Date.now() - 1000));
    const gone = await h.http().get(`/public/survey/${expired}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('expired');
    expect((await h.http().post(`/public/survey/${expired}`).type('form').send('score=1')).status).toBe(410);
    expect(await h.ds.query(`SELECT 1 FROM satisfaction_responses WHERE thread_id = $1`, [thread.id])).toHaveLength(0);

    const quiet = await resolvedThread({ survey: false });
    expect(await surveyMail(quiet.id)).toHaveLength(0);
  });
});
