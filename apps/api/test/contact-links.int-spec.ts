import { startApi, type Harness } from './harness';

jest.setTimeout(60_000);

describe('one customer across channels: link, merge, unmerge, suggestions', () => {
  let h: Harness;
  let agentCookie: string;
  let supervisorCookie: string;

  beforeAll(async () => {
    h = await startApi();
    agentCookie = await h.login(await h.f.agent({ role: 'agent' }));
    supervisorCookie = await h.login(await h.f.agent({ role: 'supervisor' }));
  });
  afterAll(() => h?.close());

  const identities = async (contactId: string) =>
    (await h.ds.query(`SELECT kind, normalized_value FROM contact_identities WHERE contact_id = $1 ORDER BY kind, normalized_value`, [contactId])) as Array<{
      kind: string;
      normalized_value: string;
    }>;
  const threadsOf = async (contactId: string) =>
    ((await h.ds.query(`SELECT id FROM threads WHERE contact_id = $1 ORDER BY id`, [contactId])) as Array<{ id: string }>).map((r) => r.id);

  it('links a normalized identity; 409 suggesting a merge when another contact owns it', async () => {
    const jane = await h.f.contact({ email: 'jane.link@example.com' });
    const other = await h.f.contact({ email: 'other.link@example.com' });
    await h.ds.query(`INSERT INTO contact_identities (contact_id, kind, value, normalized_value) VALUES ($1, 'x', '@TakenHandle', 'takenhandle')`, [other.id]);

    const res = await h.http().post(`/api/contacts/${jane.id}/identities`).set('Cookie', agentCookie).send({ kind: 'x', value: ' @JaneOnX ' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ contactId: jane.id, kind: 'x', normalizedValue: 'janeonx', created: true });
    expect(await identities(jane.id)).toEqual([
      { kind: 'email', normalized_value: 'jane.link@example.com' },
      { kind: 'x', normalized_value: 'janeonx' },
    ]);
    // linking again is harmless
    expect((await h.http().post(`/api/contacts/${jane.id}/identities`).set('Cookie', agentCookie).send({ kind: 'x', value: 'janeonx' })).status).toBe(201);

    const taken = await h.http().post(`/api/contacts/${jane.id}/identities`).set('Cookie', agentCookie).send({ kind: 'x', value: '@takenhandle' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ ownerContactId: other.id, suggestion: 'merge' });
    expect(taken.body.message).toMatch(/^value: .*merge/);
    const audit = await h.ds.query(`SELECT data FROM audit_events WHERE action = 'contact.identity_linked' AND data->>'contactId' = $1`, [jane.id]);
    expect(audit).toHaveLength(1);
  });

  it('merge moves threads, messages and identities; unmerge (supervisor) restores them exactly', async () => {
    const keep = await h.f.contact({ email: 'keep@example.com' });
    const dupe = await h.f.contact({ email: 'dupe@example.com' });
    await h.ds.query(`INSERT INTO contact_identities (contact_id, kind, value, normalized_value) VALUES ($1, 'x', '12345', '12345')`, [dupe.id]);
    const keepThread = await h.f.thread({ contactId: keep.id });
    const dupeThreads = [await h.f.thread({ contactId: dupe.id, channel: 'x' }), await h.f.thread({ contactId: dupe.id })];
    const msg = await h.f.message({ threadId: dupeThreads[0]!.id, contactId: dupe.id });
    const beforeKeep = await identities(keep.id);
    const beforeDupe = await identities(dupe.id);

    const merged = await h.http().post(`/api/contacts/${keep.id}/merge`).set('Cookie', agentCookie).send({ otherContactId: dupe.id, reason: 'same person on X' });
    expect(merged.status).toBe(200);
    expect(merged.body.threadIds.sort()).toEqual(dupeThreads.map((t) => t.id).sort());
    expect(merged.body.messageIds).toEqual([msg.id]);
    expect(await threadsOf(keep.id)).toEqual([keepThread.id, ...dupeThreads.map((t) => t.id)].sort());
    expect(await threadsOf(dupe.id)).toEqual([]);
    expect((await identities(keep.id)).map((i) => i.normalized_value).sort()).toEqual(['12345', 'dupe@example.com', 'keep@example.com']);
    const [d] = await h.ds.query(`SELECT merged_into_id FROM contacts WHERE id = $1`, [dupe.id]);
    expect(d.merged_into_id).toBe(keep.id);
    const [ev] = await h.ds.query(`SELECT actor_agent_id, reason, data FROM audit_events WHERE action = 'contact.merged' AND data->>'mergedContactId' = $1`, [dupe.id]);
    expect(ev).toMatchObject({ reason: 'same person on X', data: { contactId: keep.id, identityIds: expect.any(Array) } });
    // a merged contact cannot be merged again or receive identities
    expect((await h.http().post(`/api/contacts/${dupe.id}/identities`).set('Cookie', agentCookie).send({ kind: 'email', value: 'z@example.com' })).status).toBe(409);

    // a later thread of the surviving contact stays with it after the unmerge
    const later = await h.f.thread({ contactId: keep.id });
    const asAgent = await h.http().post(`/api/contacts/${keep.id}/unmerge`).set('Cookie', agentCookie).send({ mergedContactId: dupe.id, reason: 'oops' });
    expect(asAgent.status).toBe(403);
    const undone = await h.http().post(`/api/contacts/${keep.id}/unmerge`).set('Cookie', supervisorCookie).send({ mergedContactId: dupe.id, reason: 'different people' });
    expect(undone.status).toBe(200);
    expect(await threadsOf(dupe.id)).toEqual(dupeThreads.map((t) => t.id).sort());
    expect(await threadsOf(keep.id)).toEqual([keepThread.id, later.id].sort());
    expect(await identities(keep.id)).toEqual(beforeKeep);
    expect(await identities(dupe.id)).toEqual(beforeDupe);
    const [m] = await h.ds.query(`SELECT contact_id FROM messages WHERE id = $1`, [msg.id]);
    expect(m.contact_id).toBe(dupe.id);
    const [d2] = await h.ds.query(`SELECT merged_into_id FROM contacts WHERE id = $1`, [dupe.id]);
    expect(d2.merged_into_id).toBeNull();
    const orig = await h.ds.query(`SELECT count(*)::int AS n FROM contact_identities WHERE original_contact_id IS NOT NULL AND contact_id IN ($1, $2)`, [keep.id, dupe.id]);
    expect(orig[0].n).toBe(0);
    expect(await h.ds.query(`SELECT 1 FROM audit_events WHERE action = 'contact.unmerged' AND data->>'mergedContactId' = $1`, [dupe.id])).toHaveLength(1);
    // nothing left to undo
    expect((await h.http().post(`/api/contacts/${keep.id}/unmerge`).set('Cookie', supervisorCookie).send({ mergedContactId: dupe.id, reason: 'again' })).status).toBe(409);
  });

  it('lists the merges into a contact that are still in effect, without the undone ones', async () => {
    const agent = await h.f.agent({ role: 'agent', name: 'Merging Agent' });
    const cookie = await h.login(agent);
    const keep = await h.f.contact({ name: 'Keeper', email: 'keeper@example.com' });
    const first = await h.f.contact({ name: 'First Dupe', email: 'first.dupe@example.com' });
    const second = await h.f.contact({ name: 'Second Dupe', email: 'second.dupe@example.com' });
    await h.f.thread({ contactId: first.id });
    await h.f.thread({ contactId: first.id });
    const merge = (otherContactId: string, reason: string) =>
      h.http().post(`/api/contacts/${keep.id}/merge`).set('Cookie', cookie).send({ otherContactId, reason });
    expect((await merge(first.id, 'same shop account')).status).toBe(200);
    expect((await merge(second.id, 'same person')).status).toBe(200);

    const listed = await h.http().get(`/api/contacts/${keep.id}/merges`).set('Cookie', cookie);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      {
        mergedContactId: second.id,
        name: 'Second Dupe',
        primaryEmail: 'second.dupe@example.com',
        reason: 'same person',
        mergedBy: { id: agent.id, name: 'Merging Agent' },
        mergedAt: expect.any(String),
        threadCount: 0,
        identityCount: 1,
      },
      expect.objectContaining({ mergedContactId: first.id, reason: 'same shop account', threadCount: 2, identityCount: 1 }),
    ]);

    // undone: no longer listed; merged again: listed once, with the new reason
    expect(
      (await h.http().post(`/api/contacts/${keep.id}/unmerge`).set('Cookie', supervisorCookie).send({ mergedContactId: first.id, reason: 'different people' })).status,
    ).toBe(200);
    const afterUndo = await h.http().get(`/api/contacts/${keep.id}/merges`).set('Cookie', cookie);
    expect(afterUndo.body.map((m: { mergedContactId: string }) => m.mergedContactId)).toEqual([second.id]);
    expect((await merge(first.id, 'same after all')).status).toBe(200);
    const again = await h.http().get(`/api/contacts/${keep.id}/merges`).set('Cookie', cookie);
    expect(again.body.map((m: { mergedContactId: string; reason: string }) => [m.mergedContactId, m.reason])).toEqual([
      [first.id, 'same after all'],
      [second.id, 'same person'],
    ]);

    // the merged contact itself has no merges into it; unknown contacts are a 404
    expect((await h.http().get(`/api/contacts/${second.id}/merges`).set('Cookie', cookie)).body).toEqual([]);
    expect((await h.http().get(`/api/contacts/00000000-0000-4000-8000-000000000000/merges`).set('Cookie', cookie)).status).toBe(404);
  });

  it('suggests exact matches: the same address with a plus tag, or the same name and email domain', async () => {
    const a = await h.f.contact({ name: 'Ann Lee', email: 'ann@shop.example' });
    const plus = await h.f.contact({ name: 'Someone', email: 'ann+orders@shop.example' });
    const sameName = await h.f.contact({ name: 'ann lee', email: 'ann.lee@shop.example' });
    await h.f.contact({ name: 'Ann Lee', email: 'ann@elsewhere.example' });
    const res = await h.http().get(`/api/contacts/${a.id}/merge-suggestions`).set('Cookie', agentCookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { contactId: plus.id, name: 'Someone', primaryEmail: 'ann+orders@shop.example', reasons: ['identity'] },
      { contactId: sameName.id, name: 'ann lee', primaryEmail: 'ann.lee@shop.example', reasons: ['name-and-domain'] },
    ]);
  });

  it('suggests email addresses written in the thread that are not yet identities', async () => {
    const c = await h.f.contact({ email: 'known@example.com' });
    const inbox = await h.f.inbox({ channel: 'x', address: null });
    const t = await h.f.thread({ contactId: c.id, inboxId: inbox.id, channel: 'x' });
    await h.f.message({ threadId: t.id, contactId: c.id, channel: 'x', direction: 'inbound', bodyText: 'mail me at New.Address@Example.com or known@example.com' });
    await h.f.message({ threadId: t.id, contactId: null, channel: 'x', direction: 'outbound', bodyText: 'agent@example.com is ours' });
    const res = await h.http().get(`/api/threads/${t.id}/email-suggestions`).set('Cookie', agentCookie);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ addresses: ['new.address@example.com'] });
  });
});
