import type { DataSource } from 'typeorm';
import { Agent, createDataSource, verifyPassword } from '@desk/core';
import { createTestEnv, type TestEnv } from '@desk/testing';
import { DEMO_ADMIN_EMAIL, DEMO_PASSWORD, seedDemo, type SeedSummary } from './seed-demo';

const TABLES = [
  'agents',
  'teams',
  'team_members',
  'inboxes',
  'contacts',
  'contact_identities',
  'threads',
  'messages',
  'mail_message_ids',
  'business_calendars',
  'sla_policies',
  'sla_clocks',
  'sla_breaches',
  'audit_events',
];

describe('seedDemo', () => {
  let env: TestEnv;
  let ds: DataSource;
  let summary: SeedSummary;
  const lines: string[] = [];

  const count = async (table: string): Promise<number> => {
    const [row] = (await ds.query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>;
    return row?.n ?? -1;
  };
  const rowCounts = async () =>
    Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await count(t)] as const)));

  beforeAll(async () => {
    env = await createTestEnv();
    ds = createDataSource({ url: env.config.DATABASE_URL });
    await ds.initialize();
    summary = await seedDemo(ds, { log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  it('returns counts that match the rows in the database', async () => {
    expect(summary.skipped).toBe(false);
    expect(summary.adminEmail).toBe(DEMO_ADMIN_EMAIL);
    expect(summary.password).toBe(DEMO_PASSWORD);
    expect(summary).toMatchObject({
      agents: await count('agents'),
      teams: await count('teams'),
      inboxes: await count('inboxes'),
      contacts: await count('contacts'),
      threads: await count('threads'),
      messages: await count('messages'),
    });
    expect(summary.agents).toBe(9);
    expect(summary.teams).toBe(3);
    expect(summary.contacts).toBeGreaterThanOrEqual(30);
    expect(summary.threads).toBeGreaterThanOrEqual(35);
    expect(lines.join('\n')).toContain(DEMO_ADMIN_EMAIL);
  });

  it('has an inbox for every channel, each with a team', async () => {
    const rows = (await ds.query(
      `SELECT channel::text AS channel, team_id FROM inboxes ORDER BY channel`,
    )) as Array<{ channel: string; team_id: string | null }>;
    expect(rows.map((r) => r.channel).sort()).toEqual(['email', 'facebook', 'instagram', 'webform', 'x']);
    expect(rows.every((r) => r.team_id)).toBe(true);
    const noAck = (await ds.query(
      `SELECT count(*)::int AS n FROM inboxes WHERE channel IN ('x','facebook','instagram') AND auto_ack_enabled`,
    )) as Array<{ n: number }>;
    expect(noAck[0]?.n).toBe(0);
  });

  it('has teams with members and agents of every role and availability', async () => {
    const teams = (await ds.query(
      `SELECT t.name, count(tm.agent_id)::int AS members FROM teams t LEFT JOIN team_members tm ON tm.team_id = t.id GROUP BY t.name ORDER BY t.name`,
    )) as Array<{ name: string; members: number }>;
    expect(teams.map((t) => t.name)).toEqual(['Billing', 'Social care', 'Technical support']);
    expect(teams.every((t) => t.members >= 2)).toBe(true);
    const roles = (await ds.query(
      `SELECT role::text AS role, count(*)::int AS n FROM agents GROUP BY role`,
    )) as Array<{ role: string; n: number }>;
    expect(Object.fromEntries(roles.map((r) => [r.role, r.n]))).toEqual({
      admin: 1,
      supervisor: 2,
      agent: 6,
    });
    const availability = (await ds.query(`SELECT DISTINCT availability::text AS a FROM agents`)) as Array<{
      a: string;
    }>;
    expect(availability.map((r) => r.a).sort()).toEqual(['away', 'offline', 'online']);
  });

  it('has at least 5 contacts with threads on two or more channels', async () => {
    const rows = (await ds.query(
      `SELECT contact_id FROM threads GROUP BY contact_id HAVING count(DISTINCT channel) >= 2`,
    )) as Array<{ contact_id: string }>;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const multiIdentity = (await ds.query(
      `SELECT contact_id FROM contact_identities GROUP BY contact_id HAVING count(DISTINCT kind) >= 2`,
    )) as unknown[];
    expect(multiIdentity.length).toBeGreaterThanOrEqual(5);
  });

  it('gives every thread at least 2 messages and a lastMessageAt equal to its latest message', async () => {
    const rows = (await ds.query(
      `SELECT t.number, count(m.id)::int AS messages, t.last_message_at = max(m.created_at) AS consistent
         FROM threads t LEFT JOIN messages m ON m.thread_id = t.id
        GROUP BY t.id`,
    )) as Array<{ number: number; messages: number; consistent: boolean }>;
    expect(rows.length).toBe(summary.threads);
    expect(rows.filter((r) => r.messages < 2)).toEqual([]);
    expect(rows.filter((r) => !r.consistent)).toEqual([]);
  });

  it('keeps thread fields consistent with messages and resolution', async () => {
    const bad = (await ds.query(
      `SELECT t.number FROM threads t
        WHERE t.last_customer_message_at IS DISTINCT FROM
              (SELECT max(created_at) FROM messages m WHERE m.thread_id = t.id AND m.direction = 'inbound' AND NOT m.is_automatic)
           OR t.last_agent_message_at IS DISTINCT FROM
              (SELECT max(created_at) FROM messages m WHERE m.thread_id = t.id AND m.direction = 'outbound' AND m.author_agent_id IS NOT NULL)
           OR (t.status = 'resolved') <> (t.resolved_at IS NOT NULL)
           OR (t.status = 'snoozed') <> (t.snoozed_until IS NOT NULL)
           OR t.preview IS NULL
           OR t.created_at > t.last_message_at
           OR t.last_message_at > now()
           OR t.created_at < now() - interval '14 days'`,
    )) as unknown[];
    expect(bad).toEqual([]);
    const statuses = (await ds.query(`SELECT DISTINCT status::text AS s FROM threads`)) as Array<{
      s: string;
    }>;
    expect(statuses.map((r) => r.s).sort()).toEqual(['open', 'pending', 'resolved', 'snoozed']);
    const channels = (await ds.query(`SELECT DISTINCT channel::text AS c FROM threads`)) as Array<{
      c: string;
    }>;
    expect(channels).toHaveLength(5);
    const subjects = (await ds.query(
      `SELECT count(*) FILTER (WHERE channel IN ('email','webform') AND subject IS NULL)::int AS missing,
              count(*) FILTER (WHERE channel IN ('x','facebook','instagram') AND subject IS NOT NULL)::int AS extra
         FROM threads`,
    )) as Array<{ missing: number; extra: number }>;
    expect(subjects[0]).toEqual({ missing: 0, extra: 0 });
  });

  it('has notes, automatic messages and a Message-ID row for every email message', async () => {
    const [kinds] = (await ds.query(
      `SELECT count(*) FILTER (WHERE direction = 'note' AND NOT is_public)::int AS notes,
              count(*) FILTER (WHERE direction = 'note' AND is_public)::int AS public_notes,
              count(*) FILTER (WHERE direction = 'inbound' AND is_automatic)::int AS auto_replies,
              count(*) FILTER (WHERE channel = 'email' AND direction <> 'note' AND external_id IS NULL)::int AS email_without_id,
              count(*) FILTER (WHERE channel = 'x' AND external_id !~ '^[0-9]+$')::int AS bad_tweet_ids
         FROM messages`,
    )) as Array<Record<string, number>>;
    expect(kinds).toMatchObject({ public_notes: 0, email_without_id: 0, bad_tweet_ids: 0 });
    expect(kinds?.notes).toBeGreaterThan(0);
    expect(kinds?.auto_replies).toBeGreaterThan(0);
    const [ids] = (await ds.query(
      `SELECT (SELECT count(*) FROM messages WHERE channel = 'email' AND external_id IS NOT NULL)::int AS email_messages,
              (SELECT count(*) FROM mail_message_ids x JOIN messages m ON m.id = x.message_id
                WHERE m.external_id = x.message_id_header AND m.thread_id = x.thread_id)::int AS matching,
              (SELECT count(*) FROM mail_message_ids WHERE message_id_header LIKE '<%')::int AS bracketed`,
    )) as Array<{ email_messages: number; matching: number; bracketed: number }>;
    expect(ids?.email_messages).toBeGreaterThan(0);
    expect(ids?.matching).toBe(ids?.email_messages);
    expect(ids?.bracketed).toBe(0);
  });

  it('fills the At risk and Breached views, with a breach row per breached clock', async () => {
    const atRisk = (await ds.query(
      `SELECT t.id FROM threads t WHERE t.status IN ('open','pending') AND EXISTS
         (SELECT 1 FROM sla_clocks c WHERE c.thread_id = t.id AND c.status = 'running' AND c.warn_at <= now() AND c.due_at > now())`,
    )) as unknown[];
    const breached = (await ds.query(
      `SELECT t.id FROM threads t WHERE t.status IN ('open','pending') AND EXISTS
         (SELECT 1 FROM sla_clocks c WHERE c.thread_id = t.id AND (c.status = 'breached' OR (c.status = 'running' AND c.due_at <= now())))`,
    )) as unknown[];
    expect(atRisk.length).toBeGreaterThanOrEqual(1);
    expect(breached.length).toBeGreaterThanOrEqual(1);

    const [sla] = (await ds.query(
      `SELECT (SELECT count(*) FROM sla_clocks WHERE status = 'breached')::int AS breached_clocks,
              (SELECT count(*) FROM sla_breaches b JOIN sla_clocks c ON c.id = b.clock_id AND c.status = 'breached' AND c.breached_at = b.breached_at)::int AS breaches,
              (SELECT count(*) FROM sla_clocks WHERE status = 'met')::int AS met,
              (SELECT count(*) FROM threads t WHERE t.sla_due_at IS DISTINCT FROM
                 (SELECT min(due_at) FROM sla_clocks c WHERE c.thread_id = t.id AND c.status = 'running'))::int AS wrong_due`,
    )) as Array<{ breached_clocks: number; breaches: number; met: number; wrong_due: number }>;
    expect(sla?.breaches).toBe(sla?.breached_clocks);
    expect(sla?.met).toBeGreaterThan(0);
    expect(sla?.wrong_due).toBe(0);
    const [running] = (await ds.query(
      `SELECT count(*)::int AS n FROM sla_clocks c JOIN threads t ON t.id = c.thread_id
        WHERE c.status = 'running' AND (t.status <> 'open' OR c.started_at > now() OR c.due_at <= now())`,
    )) as Array<{ n: number }>;
    expect(running?.n).toBe(0);
  });

  it('records assignments and status changes in the audit trail', async () => {
    const rows = (await ds.query(
      `SELECT action, actor_kind::text AS kind, count(*)::int AS n FROM audit_events GROUP BY action, actor_kind`,
    )) as Array<{ action: string; kind: string; n: number }>;
    const actions = new Set(rows.map((r) => `${r.action}/${r.kind}`));
    expect([...actions]).toEqual(
      expect.arrayContaining([
        'thread.reassigned/agent',
        'thread.reassigned/system',
        'thread.updated/agent',
        'sla.breached/system',
      ]),
    );
    const [orphans] = (await ds.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE actor_kind = 'agent' AND actor_agent_id IS NULL`,
    )) as Array<{ n: number }>;
    expect(orphans?.n).toBe(0);
  });

  it('lets the admin log in with the demo password', async () => {
    const admin = await ds.getRepository(Agent).findOneByOrFail({ email: DEMO_ADMIN_EMAIL });
    expect(admin.role).toBe('admin');
    await expect(verifyPassword(admin.passwordHash, DEMO_PASSWORD)).resolves.toBe(true);
    await expect(verifyPassword(admin.passwordHash, 'wrong-password')).resolves.toBe(false);
  });

  it('does nothing on a second run', async () => {
    const before = await rowCounts();
    const again = await seedDemo(ds);
    expect(again.skipped).toBe(true);
    expect(again.adminEmail).toBe(DEMO_ADMIN_EMAIL);
    expect(await rowCounts()).toEqual(before);
  });
});
