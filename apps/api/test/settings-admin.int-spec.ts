import { SlaClock } from '@desk/core';
import { startApi, type Harness } from './harness';

const weekdays = [['09:00', '17:00']];
const calendar = {
  name: 'Lisbon office',
  timeZone: 'Europe/Lisbon',
  weeklyHours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: [], sun: [] },
  holidays: ['2026-12-25'],
};
const policy = { name: 'Standard', firstResponseMinutes: 60, nextResponseMinutes: 120 };

/** The admin screens' writes: agents' capacity and teams, teams, inbox routing and acknowledgement, SLA edits. */
describe('admin settings API', () => {
  let h: Harness;
  let admin: string;
  let adminId: string;
  let supervisor: string;
  beforeAll(async () => {
    h = await startApi();
    const a = await h.f.agent({ role: 'admin' });
    adminId = a.id;
    admin = await h.login(a);
    supervisor = await h.login(await h.f.agent({ role: 'supervisor' }));
  });
  afterAll(() => h.close());

  const audited = async (action: string): Promise<Array<{ data: Record<string, unknown> }>> =>
    h.ds.query(`SELECT data FROM audit_events WHERE action = $1 AND actor_agent_id = $2 ORDER BY created_at`, [action, adminId]);

  it('creates a team and changes an agent capacity and teams, audited; only admins may', async () => {
    const team = await h.http().post('/api/teams').set('Cookie', admin).send({ name: 'Billing' });
    expect(team.status).toBe(201);
    expect(team.body).toMatchObject({ name: 'Billing', memberIds: [] });
    expect((await h.http().post('/api/teams').set('Cookie', admin).send({ name: 'Billing' })).status).toBe(409);

    const bob = await h.f.agent({ capacity: 10 });
    const res = await h.http().patch(`/api/agents/${bob.id}`).set('Cookie', admin).send({ capacity: 3, teamIds: [team.body.id] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: bob.id, capacity: 3, teamIds: [team.body.id] });
    const teams = await h.http().get('/api/teams').set('Cookie', supervisor);
    expect(teams.body.find((t: { id: string }) => t.id === team.body.id).memberIds).toEqual([bob.id]);
    const [entry] = await audited('agent.updated');
    expect(entry!.data).toMatchObject({ agentId: bob.id, changes: { capacity: { from: 10, to: 3 }, teamIds: { from: [], to: [team.body.id] } } });
    expect(await audited('team.created')).toHaveLength(1);

    const bad = await h.http().patch(`/api/agents/${bob.id}`).set('Cookie', admin).send({ capacity: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].path).toBe('capacity');
    expect((await h.http().patch(`/api/agents/${bob.id}`).set('Cookie', supervisor).send({ capacity: 5 })).status).toBe(403);
    expect((await h.http().post('/api/teams').set('Cookie', supervisor).send({ name: 'Nope' })).status).toBe(403);
  });

  it('edits an inbox routing and acknowledgement template; a blank template means the default', async () => {
    const team = await h.f.team();
    const inbox = await h.f.inbox();
    const res = await h
      .http()
      .patch(`/api/inboxes/${inbox.id}`)
      .set('Cookie', admin)
      .send({ teamId: team.id, assignmentMode: 'least_loaded', ackTemplate: 'Hi {{name}}, #{{number}}' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ teamId: team.id, assignmentMode: 'least_loaded', ackTemplate: 'Hi {{name}}, #{{number}}' });
    expect((await audited('inbox.updated')).at(-1)!.data).toMatchObject({ inboxId: inbox.id, changed: expect.arrayContaining(['teamId', 'assignmentMode', 'ackTemplate']) });

    const blank = await h.http().patch(`/api/inboxes/${inbox.id}`).set('Cookie', admin).send({ ackTemplate: '  ' });
    expect(blank.body.ackTemplate).toBeNull();
    const unknownTeam = await h.http().patch(`/api/inboxes/${inbox.id}`).set('Cookie', admin).send({ teamId: '00000000-0000-4000-8000-000000000000' });
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.body.message).toMatch(/^teamId: /);
    expect((await h.http().patch(`/api/inboxes/${inbox.id}`).set('Cookie', supervisor).send({ autoAckEnabled: false })).status).toBe(403);
  });

  it('replaces a calendar and a policy, and deletes a policy only when no live clock uses it', async () => {
    const cal = await h.http().post('/api/sla/calendars').set('Cookie', admin).send(calendar);
    const hours = { ...calendar.weeklyHours, mon: [['08:00', '12:00'], ['13:00', '18:00']] };
    const updated = await h.http().put(`/api/sla/calendars/${cal.body.id}`).set('Cookie', admin).send({ ...calendar, weeklyHours: hours, holidays: ['2027-01-01', '2026-12-25'] });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ weeklyHours: { mon: [['08:00', '12:00'], ['13:00', '18:00']] }, holidays: ['2026-12-25', '2027-01-01'] });
    const badZone = await h.http().put(`/api/sla/calendars/${cal.body.id}`).set('Cookie', admin).send({ ...calendar, timeZone: 'Mars/Olympus' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.message).toMatch(/timeZone/);

    const created = await h.http().post('/api/sla/policies').set('Cookie', admin).send(policy);
    const put = await h.http().put(`/api/sla/policies/${created.body.id}`).set('Cookie', admin).send({ ...policy, name: 'Gold', calendarId: cal.body.id, warningPercent: 80 });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: created.body.id, name: 'Gold', calendarId: cal.body.id, warningPercent: 80 });
    expect(await audited('sla.policy_updated')).toHaveLength(1);
    expect(await audited('sla.calendar_updated')).toHaveLength(1);

    const thread = await h.f.thread();
    const now = new Date();
    const clock = await h.ds.getRepository(SlaClock).save({ threadId: thread.id, policyId: created.body.id, metric: 'first_response', startedAt: now, dueAt: now });
    const refused = await h.http().delete(`/api/sla/policies/${created.body.id}`).set('Cookie', admin);
    expect(refused.status).toBe(409);
    await h.ds.getRepository(SlaClock).update({ id: clock.id }, { status: 'met', metAt: now });
    const deleted = await h.http().delete(`/api/sla/policies/${created.body.id}`).set('Cookie', admin);
    expect(deleted.status).toBe(204);
    expect((await h.http().get('/api/sla/policies').set('Cookie', admin)).body).toEqual([]);
    expect(await audited('sla.policy_deleted')).toHaveLength(1);
    expect((await h.http().delete(`/api/sla/policies/${created.body.id}`).set('Cookie', admin)).status).toBe(404);
    expect((await h.http().put(`/api/sla/policies/${created.body.id}`).set('Cookie', supervisor).send(policy)).status).toBe(403);
  });

  it('shows channel settings without secrets, keeps them unless replaced, and names a bad field', async () => {
    const imap = { host: 'imap.acme.test', port: 993, user: 'support', password: 'hunter2-secret', mailbox: 'INBOX' };
    const inbox = await h.f.inbox({ settings: { imap, webhookSecret: 'whsec-value' } });
    const view = await h.http().get(`/api/inboxes/${inbox.id}/settings`).set('Cookie', admin);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toMatch(/hunter2-secret|whsec-value/);
    expect(view.body.secrets).toEqual({ 'imap.password': true, webhookSecret: true });

    const put = await h
      .http()
      .put(`/api/inboxes/${inbox.id}/settings`)
      .set('Cookie', admin)
      .send({ values: { ...view.body.values, imap: { ...view.body.values.imap, host: 'mail.acme.test' } }, secrets: { webhookSecret: null } });
    expect(put.status).toBe(200);
    expect(put.body.secrets).toEqual({ 'imap.password': true, webhookSecret: false });
    const [row]: Array<{ settings: Record<string, unknown> }> = await h.ds.query(`SELECT settings FROM inboxes WHERE id = $1`, [inbox.id]);
    expect(row!.settings).toEqual({ imap: { ...imap, host: 'mail.acme.test' } });
    const [entry] = (await audited('inbox.settings_updated')).slice(-1);
    expect(entry!.data).toEqual({ inboxId: inbox.id, keys: ['imap'], secrets: ['webhookSecret'] });
    expect(JSON.stringify(entry)).not.toMatch(/hunter2/);

    const bad = await h.http().put(`/api/inboxes/${inbox.id}/settings`).set('Cookie', admin).send({ values: { imap: { ...view.body.values.imap, port: 70000 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ path: 'values.imap.port' })]);
    expect((await h.http().get(`/api/inboxes/${inbox.id}/settings`).set('Cookie', supervisor)).status).toBe(403);
  });
});
